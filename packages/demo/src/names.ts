/**
 * Chinese personal names. Surnames are weighted by their approximate national share in per mille (with 刘 raised a
 * little, as in Xuzhou); given names draw from characters in fashion in the person's birth decade.
 */
import type { Sex } from './types.ts';
import { Rng, WeightedTable } from './random.ts';

const SURNAME_SHARES: ReadonlyArray<readonly [string, number]> = [
  ['王', 71], ['李', 70], ['张', 67], ['刘', 62], ['陈', 46], ['杨', 32], ['黄', 24], ['赵', 22], ['吴', 20],
  ['周', 19], ['徐', 15], ['孙', 14], ['马', 13], ['朱', 13], ['胡', 12], ['郭', 11], ['何', 11], ['林', 10],
  ['高', 10], ['罗', 9], ['郑', 9], ['梁', 8], ['谢', 8], ['宋', 7], ['唐', 7], ['许', 7], ['韩', 7], ['冯', 6],
  ['邓', 6], ['曹', 6], ['彭', 6], ['曾', 6], ['肖', 6], ['田', 5], ['董', 5], ['袁', 5], ['潘', 5], ['于', 5],
  ['蒋', 5], ['蔡', 5], ['余', 5], ['杜', 5], ['叶', 4], ['程', 4], ['苏', 4], ['魏', 4], ['吕', 4], ['丁', 4],
  ['任', 4], ['沈', 4], ['姚', 4], ['卢', 4], ['姜', 4], ['崔', 4], ['钟', 3], ['谭', 3], ['陆', 3], ['汪', 3],
  ['范', 3], ['金', 3], ['石', 3], ['廖', 3], ['贾', 3], ['夏', 3], ['韦', 3], ['付', 3], ['方', 3], ['白', 3],
  ['邹', 3], ['孟', 3], ['熊', 3], ['秦', 2], ['邱', 2], ['江', 2], ['尹', 2], ['薛', 2], ['闫', 2], ['段', 2],
  ['雷', 2], ['侯', 2], ['龙', 2], ['史', 2], ['陶', 2], ['黎', 2], ['贺', 2], ['顾', 2], ['毛', 2], ['郝', 2],
  ['龚', 2], ['邵', 2], ['万', 2], ['钱', 2], ['严', 2], ['武', 2], ['戴', 2], ['孔', 2], ['汤', 1], ['葛', 1],
  ['祝', 1], ['欧阳', 0.5], ['司马', 0.1], ['诸葛', 0.1], ['上官', 0.1],
];

const SURNAMES = new WeightedTable(SURNAME_SHARES);

export function pickSurname(rng: Rng): string {
  return SURNAMES.pick(rng);
}

/** Characters by era (born before 1965, 1965-1994, 1995 on) and sex. */
const GIVEN_CHARS: Record<'old' | 'mid' | 'young', Record<Sex, string>> = {
  old: {
    MALE: '建国军志德明华文学民强福贵荣海林平东卫兵胜利春生宝忠庆山成祥永长金友洪树',
    FEMALE: '秀英兰桂芳玉珍凤华梅淑琴霞翠云芬荣花莲萍红丽素爱香菊秋月',
  },
  mid: {
    MALE: '伟强磊军勇涛斌超明刚平辉鹏华飞鑫波宁杰浩亮俊峰建志海东龙林晨凯健冬',
    FEMALE: '丽静敏燕艳娟霞芳娜丹玲萍红婷雪琳倩颖洁慧莉晶佳梅欣蕾璐莎宁',
  },
  young: {
    MALE: '子浩宇轩俊博文睿泽辰然皓铭一航楷瑞逸嘉昊宸奕锦沐煜恒杰阳梓诚川',
    FEMALE: '梓涵欣怡诗雨萱可馨子梦琪思语佳若悦一彤雅晨艺依诺乐妍瑶菲曦安',
  },
};

const SPLIT: Record<'old' | 'mid' | 'young', Record<Sex, string[]>> = {
  old: { MALE: [...GIVEN_CHARS.old.MALE], FEMALE: [...GIVEN_CHARS.old.FEMALE] },
  mid: { MALE: [...GIVEN_CHARS.mid.MALE], FEMALE: [...GIVEN_CHARS.mid.FEMALE] },
  young: { MALE: [...GIVEN_CHARS.young.MALE], FEMALE: [...GIVEN_CHARS.young.FEMALE] },
};

/** A given name of one or two characters; two-character names became the norm after the 1980s. */
export function pickGivenName(rng: Rng, sex: Sex, birthYear: number): string {
  const era = birthYear < 1965 ? 'old' : birthYear < 1995 ? 'mid' : 'young';
  const chars = SPLIT[era][sex];
  const single = era === 'young' ? 0.08 : era === 'mid' ? 0.3 : 0.2;
  const first = rng.pick(chars);
  if (rng.chance(single)) return first;
  let second = rng.pick(chars);
  if (second === first && rng.chance(0.7)) second = rng.pick(chars);
  return first + second;
}

/**
 * Names of foreigners as their passports write them and the register copies them: family name then given names in
 * capitals (KIM MINJUN, SMITH JOHN), by nationality; compatriots from Hong Kong, Macao and Taiwan have Chinese names.
 */
const FOREIGN_NAMES: Record<string, { family: readonly string[]; MALE: readonly string[]; FEMALE: readonly string[] }> = {
  KOR: { family: ['KIM', 'LEE', 'PARK', 'CHOI', 'JUNG', 'KANG', 'CHO', 'YOON'], MALE: ['MINJUN', 'SEOJUN', 'JIHOON', 'HYUNWOO', 'DONGHYUN', 'SUNGMIN'], FEMALE: ['SEOYEON', 'JIWOO', 'MINJI', 'SOYEON', 'HAEUN', 'YUNA'] },
  JPN: { family: ['SATO', 'SUZUKI', 'TAKAHASHI', 'TANAKA', 'WATANABE', 'ITO', 'YAMAMOTO'], MALE: ['HIROSHI', 'TAKESHI', 'KENJI', 'DAIKI', 'SHOTA', 'HARUTO'], FEMALE: ['YUKI', 'AYAKA', 'MISAKI', 'HARUKA', 'NANAMI', 'SAKURA'] },
  USA: { family: ['SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'MILLER', 'DAVIS'], MALE: ['JOHN', 'MICHAEL', 'DAVID', 'JAMES', 'ROBERT', 'DANIEL'], FEMALE: ['MARY', 'JENNIFER', 'LINDA', 'SARAH', 'EMILY', 'JESSICA'] },
  GBR: { family: ['TAYLOR', 'WILSON', 'EVANS', 'THOMAS', 'ROBERTS', 'WALKER'], MALE: ['OLIVER', 'GEORGE', 'HARRY', 'JACK', 'THOMAS'], FEMALE: ['OLIVIA', 'AMELIA', 'EMILY', 'ISLA', 'SOPHIE'] },
  DEU: { family: ['MUELLER', 'SCHMIDT', 'SCHNEIDER', 'FISCHER', 'WEBER', 'MEYER'], MALE: ['LUKAS', 'FELIX', 'JONAS', 'MAXIMILIAN', 'STEFAN'], FEMALE: ['ANNA', 'LEA', 'LAURA', 'JULIA', 'KATHARINA'] },
  RUS: { family: ['IVANOV', 'SMIRNOV', 'KUZNETSOV', 'POPOV', 'SOKOLOV', 'PETROV'], MALE: ['ALEXANDER', 'DMITRY', 'SERGEY', 'ANDREY', 'MAXIM'], FEMALE: ['ANASTASIA', 'MARIA', 'DARIA', 'ELENA', 'OLGA'] },
  PAK: { family: ['KHAN', 'AHMED', 'ALI', 'HUSSAIN', 'RAZA', 'IQBAL'], MALE: ['MUHAMMAD', 'ABDULLAH', 'USMAN', 'BILAL', 'HAMZA'], FEMALE: ['FATIMA', 'AYESHA', 'ZAINAB', 'SANA', 'HIRA'] },
  VNM: { family: ['NGUYEN', 'TRAN', 'LE', 'PHAM', 'HOANG', 'VU'], MALE: ['VAN ANH', 'MINH DUC', 'QUANG HUY', 'THANH TUNG'], FEMALE: ['THI LAN', 'THU HA', 'NGOC ANH', 'THI MAI'] },
  IND: { family: ['SHARMA', 'SINGH', 'KUMAR', 'PATEL', 'GUPTA', 'REDDY'], MALE: ['RAHUL', 'AMIT', 'ARJUN', 'VIKRAM', 'ROHAN'], FEMALE: ['PRIYA', 'ANANYA', 'DIVYA', 'NEHA', 'POOJA'] },
  NGA: { family: ['OKAFOR', 'ADEYEMI', 'BELLO', 'EZE', 'OKONKWO', 'ABUBAKAR'], MALE: ['CHINEDU', 'EMEKA', 'TUNDE', 'IBRAHIM', 'OLUWASEUN'], FEMALE: ['NGOZI', 'AISHA', 'CHIOMA', 'FUNMILAYO', 'BLESSING'] },
};

/** Nationalities with foreign names: the table above. */
export const FOREIGN_NATIONALITIES = Object.keys(FOREIGN_NAMES);

/** A family name of the nationality, passed to a household's children as the head's. */
export function pickForeignFamilyName(rng: Rng, nationality: string): string {
  const names = FOREIGN_NAMES[nationality];
  if (!names) throw new RangeError(`no names for nationality ${nationality}`);
  return rng.pick(names.family);
}

/** FAMILY GIVEN, as a passport's machine-readable zone orders them. */
export function foreignName(rng: Rng, nationality: string, sex: Sex, familyName: string): string {
  const names = FOREIGN_NAMES[nationality];
  if (!names) throw new RangeError(`no names for nationality ${nationality}`);
  return `${familyName} ${rng.pick(names[sex])}`;
}
