/**
 * UI text of dataset imports (existing annotations brought in as predictions, gold answers or an
 * annotator's annotations) and of the zip and format errors the server gives as codes, merged into
 * en.ts and zh-cn.ts.
 */
export const datasetImportEn = {
  'error.ZIP_UNSAFE_PATH': 'The zip contains a file with an unsafe path (absolute, "..", backslashes or a repeated name).',
  'error.ZIP_SYMLINK': 'The zip contains a symbolic link; only plain files are accepted.',
  'error.ZIP_ENCRYPTED': 'The zip contains encrypted files; upload it without a password.',
  'error.ZIP_TOO_MANY_ENTRIES': 'The zip contains too many files.',
  'error.ZIP_TOO_LARGE': 'The zip unpacks to more than the size limit.',
  'error.ZIP_BOMB': 'The zip looks like a zip bomb (it inflates far beyond its size) and was refused.',
  'error.ZIP_CORRUPT': 'The file is not a readable zip archive.',
} as const;

export const datasetImportZhCN: { readonly [K in keyof typeof datasetImportEn]: string } = {
  'error.ZIP_UNSAFE_PATH': 'zip 中有路径不安全的文件（绝对路径、".."、反斜杠或重复的文件名）。',
  'error.ZIP_SYMLINK': 'zip 中含有符号链接；只接受普通文件。',
  'error.ZIP_ENCRYPTED': 'zip 中含有加密文件；请上传未加密的压缩包。',
  'error.ZIP_TOO_MANY_ENTRIES': 'zip 中的文件过多。',
  'error.ZIP_TOO_LARGE': 'zip 解压后超过大小限制。',
  'error.ZIP_BOMB': '该 zip 疑似压缩炸弹（解压后远大于其大小），已拒绝。',
  'error.ZIP_CORRUPT': '该文件不是可读取的 zip 压缩包。',
};
