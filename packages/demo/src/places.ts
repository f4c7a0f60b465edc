/** Place names and division codes of the demo district and of the places its people come from. */
import type { DemoDistrict } from './types.ts';

export const DISTRICT: DemoDistrict = {
  code: '320311',
  name: '泉山区',
  cityName: '徐州市',
  provinceName: '江苏省',
};

export const DISTRICT_PREFIX = `${DISTRICT.provinceName}${DISTRICT.cityName}${DISTRICT.name}`;

/** Street (街道) stems, urban first; used in this order after a seeded shuffle. */
export const STREET_STEMS = [
  '湖滨', '王陵', '永安', '段庄', '翟山', '奎山', '和平', '泰山', '金山', '七里沟', '桃园', '苏堤', '工农', '火花', '庞庄',
] as const;

/** Town (镇) stems: the district's rural fringe. */
export const TOWN_STEMS = ['汉王', '柳泉', '大庙', '三堡', '伊庄', '棠张', '张集', '大许', '郑集', '拾屯'] as const;

/** Community (社区) stems. More than 200 names come from these with directional suffixes when needed. */
export const COMMUNITY_STEMS = [
  '湖滨', '金山', '矿山', '夹河', '苏堤', '翟山', '奎山', '民主', '和平', '泰山', '建国', '青年', '东方', '新城', '绿地',
  '春晖', '翠湖', '兴园', '滨湖', '云苑', '丽水', '荷花', '星光', '阳光', '锦绣', '紫薇', '枫林', '凤凰', '学苑', '文昌',
  '古槐', '开明', '平山', '汉源', '淮西', '永安', '王陵', '段庄', '杏山', '七里', '欣欣', '桃园', '西苑', '南湖', '北湖',
  '东苑', '泉新', '泉润', '富庶', '金地', '彭城', '泉山', '庆丰', '绿洲', '嘉和', '康居', '雅居', '惠民', '福园', '龙湖',
  '银桥', '鑫源', '玉泉', '矿大', '师大', '工程', '电厂', '铁路', '煤建', '化工', '纺织', '机械', '天山', '华山', '嵩山',
  '黄山', '庐山', '衡山', '峨眉', '泰和', '朝阳', '向阳', '红旗', '团结', '友谊', '光明', '幸福', '育才', '文化', '新生',
] as const;

/** Village (村) names are a family name and a landform or settlement word, as in northern Jiangsu. */
export const VILLAGE_FAMILIES = [
  '张', '李', '王', '刘', '陈', '马', '孙', '赵', '周', '吴', '郑', '冯', '杨', '黄', '朱', '高', '徐', '郭', '胡', '韩',
  '魏', '蒋', '谢', '丁', '段', '潘', '侯', '邵', '彭', '石',
] as const;
export const VILLAGE_SUFFIXES = ['庄', '楼', '集', '湾', '圩', '营', '店', '寨', '洼', '岗', '桥', '口', '屯', '湖', '山'] as const;

/** Roads; each grid of a community lies along a road of its own. */
export const ROADS = [
  '淮海西路', '中山南路', '解放南路', '和平路', '建国西路', '金山路', '湖滨路', '泰山路', '矿山路', '苏堤路', '翟山路',
  '王陵路', '七里沟路', '大学路', '二环西路', '三环西路', '汉源大道', '欣欣路', '迎宾大道', '长安路', '永安路', '段庄路',
  '奎山路', '学苑路', '富庶街', '青年路', '民主南路', '夹河街', '黄河南路', '工农路', '泉新路', '兵团路', '金山东路',
  '湖北路', '云苑路', '嵩山路', '华山路', '衡山路', '峨眉路', '黄山路', '庐山路', '玉泉路', '桃园路', '春晖路', '翠湖路',
  '荷花路', '丰收路', '建设路', '光明路', '幸福路', '团结路', '友谊路', '文化路', '育才路', '新生路', '杏山路', '紫薇路',
  '凤凰路', '枫林路', '星光路',
] as const;

/** Birth-registration codes of people registered in the district: mostly the district itself, some elsewhere in Xuzhou. */
export const XUZHOU_ID_CODES: ReadonlyArray<readonly [string, number]> = [
  ['320311', 85], ['320302', 2], ['320303', 2], ['320305', 1.5], ['320312', 3], ['320321', 1], ['320322', 1.5],
  ['320324', 1], ['320381', 1], ['320382', 2],
];

export interface OriginCounty {
  code: string;
  name: string; // province + city + county
}

/** Where the floating population comes from, weighted towards the neighbouring provinces of Xuzhou. */
export const ORIGIN_COUNTIES: ReadonlyArray<readonly [OriginCounty, number]> = [
  [{ code: '341322', name: '安徽省宿州市萧县' }, 10],
  [{ code: '341321', name: '安徽省宿州市砀山县' }, 6],
  [{ code: '341302', name: '安徽省宿州市埇桥区' }, 5],
  [{ code: '341221', name: '安徽省阜阳市临泉县' }, 4],
  [{ code: '341623', name: '安徽省亳州市利辛县' }, 3],
  [{ code: '370829', name: '山东省济宁市嘉祥县' }, 3],
  [{ code: '371321', name: '山东省临沂市沂南县' }, 3],
  [{ code: '371702', name: '山东省菏泽市牡丹区' }, 3],
  [{ code: '370481', name: '山东省枣庄市滕州市' }, 5],
  [{ code: '410526', name: '河南省安阳市滑县' }, 2],
  [{ code: '411421', name: '河南省商丘市民权县' }, 3],
  [{ code: '411424', name: '河南省商丘市柘城县' }, 2],
  [{ code: '411625', name: '河南省周口市郸城县' }, 3],
  [{ code: '321323', name: '江苏省宿迁市泗阳县' }, 4],
  [{ code: '320722', name: '江苏省连云港市东海县' }, 3],
  [{ code: '320826', name: '江苏省淮安市涟水县' }, 3],
  [{ code: '130425', name: '河北省邯郸市大名县' }, 1],
  [{ code: '140121', name: '山西省太原市清徐县' }, 1],
  [{ code: '360731', name: '江西省赣州市于都县' }, 1],
  [{ code: '430524', name: '湖南省邵阳市隆回县' }, 1],
  [{ code: '421127', name: '湖北省黄冈市黄梅县' }, 1],
  [{ code: '510921', name: '四川省遂宁市蓬溪县' }, 2],
  [{ code: '500230', name: '重庆市丰都县' }, 1],
  [{ code: '520521', name: '贵州省毕节市大方县' }, 1],
  [{ code: '610324', name: '陕西省宝鸡市扶风县' }, 1],
  [{ code: '230231', name: '黑龙江省齐齐哈尔市拜泉县' }, 1],
  [{ code: '450881', name: '广西壮族自治区贵港市桂平市' }, 1],
  [{ code: '350583', name: '福建省泉州市南安市' }, 1],
  [{ code: '330381', name: '浙江省温州市瑞安市' }, 1],
  [{ code: '620421', name: '甘肃省白银市靖远县' }, 1],
];

/** Town names for origin addresses (the county is real, the town is illustrative). */
export const ORIGIN_TOWNS = [
  '城关镇', '新集镇', '张集镇', '马井镇', '官桥镇', '黄口镇', '杨楼镇', '李庄镇', '孙圩镇', '大店镇', '双庙镇', '王寨镇',
  '石桥镇', '高庄镇', '白土镇', '刘集镇', '青龙镇', '永兴镇', '龙城镇', '朱集镇',
] as const;

/** Every address code an ID number may carry, so the allocator can index its counters by position. */
export const ID_ADDRESS_CODES: readonly string[] = [
  ...XUZHOU_ID_CODES.map(([code]) => code),
  ...ORIGIN_COUNTIES.map(([county]) => county.code),
];
