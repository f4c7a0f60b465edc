/** ZD, the 15-digit grid code and a 3-digit sequence. */
export const KEY_PERSON_ID = /^ZD\d{18}$/;

/** A household number (户号) as the police station writes it: up to 40 characters, no spaces. */
export const HOUSEHOLD_ID = /^\S{1,40}$/;
