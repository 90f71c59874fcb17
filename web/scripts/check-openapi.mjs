// Validates an OpenAPI 3.x document (3.1 included) and exits non-zero when it is missing or invalid.
//   node scripts/check-openapi.mjs ../docs/openapi.json
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';

const file = path.resolve(process.argv[2] || '../docs/openapi.json');
if (!fs.existsSync(file)) {
  console.error(`check:openapi: ${file} does not exist`);
  process.exit(1);
}
let doc;
try {
  doc = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`check:openapi: ${file} is not valid JSON: ${e.message}`);
  process.exit(1);
}
const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) {
  console.error(`check:openapi: ${file} is NOT a valid OpenAPI ${validator.version || doc.openapi || '?'} document:`);
  console.error(JSON.stringify(res.errors, null, 2).slice(0, 20000));
  process.exit(1);
}
const paths = Object.keys(doc.paths || {}).length;
console.log(`check:openapi: ${path.relative(process.cwd(), file)} is a valid OpenAPI ${validator.version} document (${paths} paths)`);
