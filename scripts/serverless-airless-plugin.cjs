// A local serverless v3 plugin with two duties:
// 1. Serverless 3.40.0's schema predates the newest Lambda Node runtimes; teach it nodejs22.x and
//    nodejs24.x so `configValidationMode: error` can stay on.
// 2. Deterministic packaging: serverless names the artifact folder after the wall clock, which puts
//    a new S3 key in the template on every run. With AIRLESS_ARTIFACT_TIME (milliseconds, set by
//    scripts/package-aws.js from the last commit's time) the folder is named after that instead,
//    in serverless' own `<ms>-<iso>` form, so its deployment cleanup and rollback still order it.
'use strict';

class AirlessPlugin {
  constructor(serverless) {
    const runtimes = serverless.configSchemaHandler.schema.definitions.awsLambdaRuntime.enum;
    for (const runtime of ['nodejs22.x', 'nodejs24.x'])
      if (!runtimes.includes(runtime)) runtimes.push(runtime);
    this.hooks = {
      'package:initialize': () => {
        const time = process.env.AIRLESS_ARTIFACT_TIME;
        if (!time) return;
        const date = new Date(Number(time));
        const provider = serverless.getProvider('aws');
        const { service } = serverless.service;
        serverless.service.package.artifactDirectoryName = `${provider.getDeploymentPrefix()}/${service}/${provider.getStage()}/${date.getTime()}-${date.toISOString()}`;
      },
    };
  }
}

module.exports = AirlessPlugin;
