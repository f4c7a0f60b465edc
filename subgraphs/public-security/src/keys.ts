/** ZD, the 15-digit grid code and a 3-digit sequence. */
export const KEY_PERSON_ID = /^ZD\d{18}$/;
