import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { GateVerdict, TaskTokenSender } from '../handlers/gates/protocol.ts';

/** Wakes parked Step Functions tasks. A settled token's error (TaskTimedOut, ...) reaches the caller by name. */
export class SfnTaskTokens implements TaskTokenSender {
  constructor(private readonly sfn: SFNClient) {}

  async sendTaskSuccess(token: string, output: GateVerdict): Promise<void> {
    await this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.sfn.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
  }
}
