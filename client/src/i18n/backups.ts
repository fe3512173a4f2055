/** UI text of whole-project backups (the project page's Backup button, the projects page's Restore), merged into en.ts and zh-cn.ts. */
export const backupsEn = {
  'backup.download': 'Backup',
  'backup.running': 'Backing up…',
  'backup.done': 'Backup saved ({mb} MB).',
  'backup.restore': 'Restore a backup',
  'backup.restoring': 'Restoring… {percent}%',
  'backup.restored': 'Restored as the new project “{name}” ({items} items).',
  'backup.open': 'Open it',
  'backup.placeholders': 'Users missing here were created as disabled accounts: {names}.',
  'backup.notQueued': 'Its items are not in the annotation queue yet.',
} as const;

export const backupsZhCN: Record<keyof typeof backupsEn, string> = {
  'backup.download': '备份',
  'backup.running': '正在备份…',
  'backup.done': '备份已保存（{mb} MB）。',
  'backup.restore': '恢复备份',
  'backup.restoring': '正在恢复… {percent}%',
  'backup.restored': '已恢复为新项目“{name}”（{items} 个条目）。',
  'backup.open': '打开',
  'backup.placeholders': '本系统中不存在的用户已创建为停用账号：{names}。',
  'backup.notQueued': '其条目尚未加入标注队列。',
};
