import { getControl } from './catalog.js';

/**
 * The ISO/IEC 27001:2022 successor(s) of a 2013 Annex A control, per ISO/IEC 27002:2022 Annex B.
 *
 * @example translate2013('A.9.2.6') // ['A.5.18']
 * @example translate2013('A.18.2.3') // ['A.5.36', 'A.8.8']
 * @throws CrosswalkError CW_CONTROL_UNKNOWN when the id is not a 2013 Annex A control
 */
export function translate2013(id: string): readonly string[] {
  return getControl('iso27001-2013', id).successors2022;
}
