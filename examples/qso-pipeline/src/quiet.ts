/**
 * Imported first by the CLI. The pinned AWS SDK release supports Node 20 but warns on every client
 * that later releases will not; that notice is not about this run, so the CLI turns it off (the SDK's
 * own switch) unless the user set it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
