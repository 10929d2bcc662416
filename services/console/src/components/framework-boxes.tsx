/** Checkboxes named `framework`, one a framework, the first checked. */
export function FrameworkBoxes({ names }: { names: string[] }) {
  return names.map((name, index) => (
    <label key={name}>
      <input type="checkbox" name="framework" value={name} defaultChecked={index === 0} /> {name}
    </label>
  ));
}
