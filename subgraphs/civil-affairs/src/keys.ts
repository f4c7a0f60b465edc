/** MZ, the 15-digit grid code and a 4-digit sequence. */
export const WELFARE_ID = /^MZ\d{19}$/;
