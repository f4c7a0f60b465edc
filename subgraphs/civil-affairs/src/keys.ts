/** MZ, the 15-digit grid code and a 4-digit sequence. */
export const WELFARE_ID = /^MZ\d{19}$/;
/** GA, the 15-digit grid code and a 4-digit sequence. */
export const CARE_ID = /^GA\d{19}$/;
/** CJ, the 15-digit grid code and a 4-digit sequence. */
export const DISABILITY_ID = /^CJ\d{19}$/;
/** JZ, the 15-digit grid code and a 4-digit sequence. */
export const ASSISTANCE_ID = /^JZ\d{19}$/;
