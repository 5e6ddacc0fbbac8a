/** The checks every platform answers, in report order, with their one human title each. */
export const postureCheckTitles = {
  disk_encryption: 'Disk encryption (home volume)',
  firewall: 'Firewall',
  os_updates: 'OS version and patch age',
  screen_lock: 'Screen lock',
  secure_boot: 'Secure Boot',
  endpoint_protection: 'Endpoint protection',
} as const;

export type PostureCheckId = keyof typeof postureCheckTitles;

export const postureCheckIds = Object.keys(postureCheckTitles) as readonly PostureCheckId[];
