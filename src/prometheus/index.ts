export { generateRuleGroups, sloWindows } from './generate-rules.js';
export { renderRuleFile, type RuleFileFormat } from './rule-file.js';
export * from './rule-types.js';
