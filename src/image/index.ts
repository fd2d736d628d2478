/** The image layer: parsers, the image set reader and the checks run before and after connecting. */
export * from "./address.js";
export * from "./app-desc.js";
export * from "./bootloader-patch.js";
export * from "./chip-table.js";
export * from "./esp-image.js";
export * from "./flasher-args.js";
export * from "./image-set.js";
export * from "./partition-table.js";
export * from "./read-image-set.js";
export * from "./validate.js";
export * from "./validate-chip.js";
