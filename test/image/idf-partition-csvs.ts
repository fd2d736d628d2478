/** Partition CSVs as ESP-IDF ships them, shared by the compiler's and the CLI's tests. */

/** ESP-IDF's partitions_two_ota.csv. */
export const TWO_OTA_CSV = `# Name,   Type, SubType, Offset,   Size, Flags
nvs,      data, nvs,     ,        0x4000,
otadata,  data, ota,     ,        0x2000,
phy_init, data, phy,     ,        0x1000,
factory,  app,  factory, ,        1M,
ota_0,    app,  ota_0,   ,        1M,
ota_1,    app,  ota_1,   ,        1M,
`;
