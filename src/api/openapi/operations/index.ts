import type { Operation } from '../operation.js';
import * as businessProfile from './business-profile.js';
import * as channelMedia from './channel-media.js';
import * as channels from './channels.js';
import * as connections from './connections.js';
import * as customerWindows from './customer-windows.js';
import * as deliveries from './deliveries.js';
import * as instance from './instance.js';
import * as media from './media.js';
import * as messages from './messages.js';
import * as publicDocuments from './public.js';
import * as storedMedia from './stored-media.js';
import * as templates from './templates.js';

/**
 * Every documented operation, module by module (each module declares the operations of one route
 * module). A new route module adds one line here; a new route adds one `operation(...)` to its module.
 */
export const OPERATION_MODULES: Record<string, Record<string, Operation>> = {
  'instance.ts': instance,
  'connections.ts': connections,
  'channels.ts': channels,
  'messages.ts': messages,
  'customer-windows.ts': customerWindows,
  'channel-media.ts': channelMedia,
  'deliveries.ts': deliveries,
  'media.ts': media,
  'templates.ts': templates,
  'business-profile.ts': businessProfile,
  'stored-media.ts': storedMedia,
  'well-known.ts + openapi.ts': publicDocuments,
};

export const OPERATIONS: readonly Operation[] = Object.values(OPERATION_MODULES).flatMap((module) => Object.values(module));
