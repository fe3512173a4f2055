/**
 * The Chinese NER practice sentences, written in the guideline's `[text]LABEL` notation. Each has a
 * difficulty (1 easy … 3 hard) and, where it trains one, the guideline's hard case number.
 * Sentences without brackets have no entity at all (a trainee must leave them empty).
 */
export const NER_PRACTICE: { marked: string; difficulty: 1 | 2 | 3; hardCase?: number }[] = [
  { marked: '[刘洋]PER经理上午去了[杭州]LOC。', difficulty: 1, hardCase: 1 },
  { marked: '[陈老师]PER和[小李]PER一起吃了午饭。', difficulty: 1, hardCase: 2 },
  { marked: '[清华大学]ORG的学生在[北京]LOC参加了比赛。', difficulty: 1, hardCase: 3 },
  { marked: '[小米]ORG发布了[小米SU7]PRD，很多人当天就下单了[小米]ORG手机。', difficulty: 3, hardCase: 4 },
  { marked: '朋友送了我两瓶[五粮液]PRD。', difficulty: 2, hardCase: 5 },
  { marked: '[中]LOC[俄]LOC两国领导人在[莫斯科]LOC会面。', difficulty: 2, hardCase: 6 },
  { marked: '[外交部]ORG发言人表示，[中国]LOC愿与各方加强合作。', difficulty: 2, hardCase: 11 },
  { marked: '[比尔·盖茨]PER创立了[微软公司]ORG。', difficulty: 2, hardCase: 8 },
  { marked: '我每天都用“[支付宝]PRD”付款。', difficulty: 2, hardCase: 9 },
  { marked: '他在[腾讯]ORG工作了五年。', difficulty: 1 },
  { marked: '[广州市天河区]LOC的房价又涨了。', difficulty: 2, hardCase: 12 },
  { marked: '[长江]LOC流经[重庆]LOC和[武汉]LOC。', difficulty: 1 },
  { marked: '我在 [Windows]PRD 电脑上装了[微信]PRD。', difficulty: 3, hardCase: 13 },
  { marked: '[Elon Musk]PER宣布[特斯拉]ORG将在[上海]LOC扩建工厂。', difficulty: 2 },
  { marked: '[马云]PER（[Jack Ma]PER）曾在[杭州]LOC当英语老师。', difficulty: 3, hardCase: 8 },
  { marked: '[协和医院]ORG今天的门诊量很大。', difficulty: 1 },
  { marked: '他开着一辆[宝马]PRD去了[首都国际机场]LOC。', difficulty: 2, hardCase: 5 },
  { marked: '[北京国安]ORG主场迎战[山东泰山]ORG。', difficulty: 2, hardCase: 11 },
  { marked: '[新华社]ORG报道，[长三角]LOC经济持续增长。', difficulty: 2, hardCase: 6 },
  { marked: '总经理和秘书今天都没有来上班。', difficulty: 1 },
  { marked: '[孙悟空]PER是很多孩子喜欢的角色。', difficulty: 1 },
  { marked: '网友纷纷在[抖音]PRD上转发这段视频。', difficulty: 2 },
  { marked: '[抖音]ORG宣布将加强内容审核。', difficulty: 2 },
  { marked: '她在[故宫]LOC拍了很多照片。', difficulty: 1 },
  { marked: '[阿里巴巴（中国）有限公司]ORG发布了年度报告。', difficulty: 3, hardCase: 10 },
  { marked: '[白宫]ORG周一宣布了新政策。', difficulty: 2, hardCase: 7 },
  { marked: '春节期间，很多游客去[哈尔滨]LOC看冰灯。', difficulty: 2 },
  { marked: '[张医生]PER建议他少喝[可口可乐]PRD。', difficulty: 2, hardCase: 2 },
  { marked: '我用[华为Mate 60 Pro]PRD给[王阿姨]PER打了电话。', difficulty: 3, hardCase: 4 },
  { marked: '[联合国]ORG秘书长访问了[日内瓦]LOC。', difficulty: 1 },
  { marked: '他会说汉语和英语，最近在读《三体》。', difficulty: 2 },
  { marked: '[招商银行]ORG的总部设在[深圳]LOC。', difficulty: 1 },
];

/** `[text]LABEL` notation → the plain text and its spans in code points (end exclusive). */
export function parseMarked(marked: string): { text: string; spans: { start: number; end: number; label: string }[] } {
  const spans: { start: number; end: number; label: string }[] = [];
  let text = '';
  const re = /\[([^\]]+)\](PER|ORG|LOC|PRD)/gu;
  let last = 0;
  for (const m of marked.matchAll(re)) {
    text += marked.slice(last, m.index);
    const start = [...text].length;
    text += m[1]!;
    spans.push({ start, end: [...text].length, label: m[2]! });
    last = m.index + m[0].length;
  }
  text += marked.slice(last);
  if (/\[[^\]]*\](PER|ORG|LOC|PRD)/u.test(text)) throw new Error(`unparsed span in ${marked}`);
  return { text, spans };
}
