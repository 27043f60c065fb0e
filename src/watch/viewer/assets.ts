/**
 * The viewer page's files, embedded as strings: tsc emits them with the server, so the page works from
 * dist/ or an installed package with no build step and no files to locate at run time.
 */
import { VIEWER_HTML } from './page-html.js';
import { VIEWER_JS } from './page-script.js';
import { VIEWER_CSS } from './page-style.js';

export interface ViewerAsset {
  readonly type: string;
  readonly body: string;
}

export const VIEWER_ASSETS: Readonly<Record<string, ViewerAsset>> = {
  '/index.html': { type: 'text/html; charset=utf-8', body: VIEWER_HTML },
  '/viewer.js': { type: 'text/javascript; charset=utf-8', body: VIEWER_JS },
  '/viewer.css': { type: 'text/css; charset=utf-8', body: VIEWER_CSS },
};
