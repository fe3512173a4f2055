/**
 * UI text of the first-hour fixes of issue #10 (landing tab, inbox with read state, trainee levels,
 * account reset/deactivation, item names, grouped toasts, active-time throughput, region confusion),
 * merged into the main dictionaries (en.ts, zh-cn.ts) like review.ts.
 */
export const uxEn = {
  // Inbox (server-side, with read state)
  'inbox.accepted': '{n|# annotation accepted|# annotations accepted}',
  'inbox.openInbox': 'Open inbox',
  'inbox.markOneRead': 'Mark read',
  'inbox.unreadMark': 'unread',
  'inbox.more': 'Show more',
  'inbox.title': 'Review results ({unread} unread)',
  // Trainee levels
  'projects.col.level': 'Level',
  'projects.levelOf': 'Needs {level} or above',
  'projects.needsLevel': 'Needs {required} — you are {yours}',
  'work.levelNeeded': 'This project needs certification level {required} or above; yours is {yours}.',
  'work.levelHow':
    'Levels are raised by a lead or an admin after they have assessed your work (there is no test to take on your own yet). To work on this project, ask one of its leads:',
  'work.levelHowNoLeads':
    'Levels are raised by a lead or an admin after they have assessed your work (there is no test to take on your own yet). Ask your lead or an admin.',
  // Accounts (admins)
  'users.col.actions': 'Account',
  'users.active': 'Active',
  'users.deactivated': 'Deactivated',
  'users.deactivate': 'Deactivate',
  'users.reactivate': 'Reactivate',
  'users.deactivateTitle': 'Deactivate {name}?',
  'users.deactivateBody': '{name} is signed out at once and cannot sign in until reactivated. Their work and history are kept.',
  'users.reactivateTitle': 'Reactivate {name}?',
  'users.reactivateBody': '{name} can sign in again with their password.',
  'users.resetPassword': 'Reset password',
  'users.resetTitle': 'New password for {name}',
  'users.resetHint': 'At least 10 characters. {name} is signed out everywhere and signs in with this password from now on.',
  'users.resetSubmit': 'Set password',
  'users.resetDone': 'The password of {name} was changed; their sessions were ended.',
  // Dashboard: throughput over active time, region confusion
  'dash.throughputActive': 'Throughput (active time)',
  'dash.perActiveHour': '{n} / active h',
  'dash.throughputActiveHint':
    '{n} submissions in {hours} h of active work in the last 24 h (each annotator’s working spells added up; pauses over 10 min left out).',
  'dash.confusionRegions': 'Regions (boxes, polygons, spans, …)',
  'dash.confusionRegionsNote':
    'Regions matched between two annotators as the agreement metrics match them, counted by their labels both ways; a region the other annotator has nothing for counts against “nothing”.',
  'dash.confusionNothing': 'nothing',
};

export const uxZhCN: { [K in keyof typeof uxEn]: string } = {
  'inbox.accepted': '{n} 条标注已通过',
  'inbox.openInbox': '打开收件箱',
  'inbox.markOneRead': '标为已读',
  'inbox.unreadMark': '未读',
  'inbox.more': '显示更多',
  'inbox.title': '审核结果（{unread} 条未读）',
  'projects.col.level': '等级',
  'projects.levelOf': '需要 {level} 或以上',
  'projects.needsLevel': '需要 {required}，您当前为 {yours}',
  'work.levelNeeded': '本项目要求认证等级 {required} 或以上，您当前为 {yours}。',
  'work.levelHow': '等级由组长或管理员在评估您的标注后调整（目前还没有可自行参加的测试）。如需参与本项目，请联系项目组长：',
  'work.levelHowNoLeads': '等级由组长或管理员在评估您的标注后调整（目前还没有可自行参加的测试）。请联系您的组长或管理员。',
  'users.col.actions': '账号',
  'users.active': '正常',
  'users.deactivated': '已停用',
  'users.deactivate': '停用',
  'users.reactivate': '重新启用',
  'users.deactivateTitle': '停用 {name}？',
  'users.deactivateBody': '{name} 将立即退出登录，重新启用前无法登录。其标注和历史记录会保留。',
  'users.reactivateTitle': '重新启用 {name}？',
  'users.reactivateBody': '{name} 可以用原密码再次登录。',
  'users.resetPassword': '重置密码',
  'users.resetTitle': '为 {name} 设置新密码',
  'users.resetHint': '至少 10 个字符。{name} 将在所有设备上退出登录，此后使用新密码登录。',
  'users.resetSubmit': '设置密码',
  'users.resetDone': '{name} 的密码已更改，其所有会话已结束。',
  'dash.throughputActive': '吞吐量（活跃时间）',
  'dash.perActiveHour': '{n} / 活跃小时',
  'dash.throughputActiveHint': '过去 24 小时内共提交 {n} 次，活跃工作 {hours} 小时（各标注员的连续工作时段相加，超过 10 分钟的停顿不计）。',
  'dash.confusionRegions': '区域（框、多边形、片段等）',
  'dash.confusionRegionsNote': '按一致性指标的匹配方式配对两位标注员的区域，按双方标签双向计数；对方没有对应区域的计为“无”。',
  'dash.confusionNothing': '无',
};
