/** UI text of trainee certification (the Training page, exams, certificates, the lead's Trainees view), merged into en.ts and zh-cn.ts. */
export const certificationEn = {
  'error.EXAM_NOT_AVAILABLE': 'This exam part cannot be started now.',
  'error.RETAKE_TOO_EARLY': 'The waiting time after your last attempt has not passed yet.',
  'error.ATTEMPT_CLOSED': 'This exam attempt is over; it cannot be changed or submitted again.',
} as const;

export const certificationZhCN: { readonly [K in keyof typeof certificationEn]: string } = {
  'error.EXAM_NOT_AVAILABLE': '现在不能开始这一部分考试。',
  'error.RETAKE_TOO_EARLY': '距上次考试的等待时间还没有到。',
  'error.ATTEMPT_CLOSED': '本次考试已结束，不能再修改或重复提交。',
};
