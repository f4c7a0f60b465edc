/** Sort keys the party lists page by, which their cursors carry. */
export const ACTIVITY_ID = /^HD(PC|PG|PB)\d{18}$/;
export const ATTENDANCE_ID = /^HD(PC|PG|PB)\d{18}[0-9a-f]{32}$/;
export const POINTS_ENTRY_ID = /^JF[0-9A-Z]{4,22}$/;
/** BD, the 15-digit grid code and a 4-digit sequence. */
export const REPORT_IN_ID = /^BD\d{19}$/;
/** ZY, the 15-digit grid code and a 4-digit sequence. */
export const VOLUNTEER_ID = /^ZY\d{19}$/;
