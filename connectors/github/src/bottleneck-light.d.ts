// bottleneck ships types for its full build only; the light build (what octokit's plugins use) has the same API.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
