const {build}=require('esbuild');
const dir=process.argv[2];
build({stdin:{contents:"export { createClient } from '@volley/client';",resolveDir:dir,loader:'js'},bundle:true,minify:true,format:'esm',platform:'browser',target:'es2022',write:false,tsconfig:dir+'/tsconfig.json'}).then(r=>{process.stdout.write(Buffer.from(r.outputFiles[0].contents).toString().replace(/;/g,';\n').replace(/\{/g,'{\n'))})
