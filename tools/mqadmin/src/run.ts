/**
 * `mqadmin` without the process plumbing: parse, start an Admin, run one command, print, shut down.
 * @returns the exit code: 0 on success, 1 on a failed command or bad arguments (commander's code for help).
 */
import { Admin, MQError } from '@cometmq/client'
import type { AdminApi } from './admin-api.js'
import { CommanderError, parseMqadminArgs } from './cli.js'
import type { CliOutput, MqadminCommand } from './cli.js'
import { clusterList, consumerProgress } from './commands/cluster-commands.js'
import { queryMsgById, queryMsgByKey, queryMsgByUniqueKey } from './commands/message-commands.js'
import { topicList, topicRoute, topicStatus, updateTopic } from './commands/topic-commands.js'

export interface MqadminIo {
  /** Writes text as is (commands end each line with \n). */
  stdout(text: string): void
  stderr(text: string): void
  env: Readonly<Record<string, string | undefined>>
}

/** A started admin client and the way to release it. */
export interface AdminSession {
  admin: AdminApi
  close(): Promise<void>
}

/** Default: a real `Admin` on `namesrvAddr`. */
export async function openAdmin(namesrvAddr: string): Promise<AdminSession> {
  const admin = new Admin({ namesrvAddr, instanceName: `mqadmin-${process.pid}` })
  await admin.start()
  return { admin, close: () => admin.shutdown() }
}

/** Runs one parsed command. */
export function execute(admin: AdminApi, command: MqadminCommand): Promise<string[]> {
  switch (command.command) {
    case 'updateTopic':
      return updateTopic(admin, command.options)
    case 'topicList':
      return topicList(admin)
    case 'topicRoute':
      return topicRoute(admin, command.options)
    case 'topicStatus':
      return topicStatus(admin, command.options)
    case 'clusterList':
      return clusterList(admin, command.options)
    case 'consumerProgress':
      return consumerProgress(admin, command.options)
    case 'queryMsgById':
      return queryMsgById(admin, command.options)
    case 'queryMsgByKey':
      return queryMsgByKey(admin, command.options)
    case 'queryMsgByUniqueKey':
      return queryMsgByUniqueKey(admin, command.options)
  }
}

function describeError(error: unknown): string {
  if (MQError.isInstance(error)) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}

export async function runMqadmin(args: readonly string[], io: MqadminIo, open: (namesrvAddr: string) => Promise<AdminSession> = openAdmin): Promise<number> {
  const output: CliOutput = { writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) }
  let command: MqadminCommand
  try {
    command = parseMqadminArgs(args, io.env, output)
  } catch (error) {
    if (error instanceof CommanderError) {
      // our own CommanderErrors are not printed by commander
      if (error.code.startsWith('mqadmin.')) io.stderr(`${error.message}\n`)
      return error.exitCode
    }
    throw error
  }
  let session: AdminSession | undefined
  try {
    session = await open(command.namesrvAddr)
    const lines = await execute(session.admin, command)
    io.stdout(lines.map((line) => `${line}\n`).join(''))
    return 0
  } catch (error) {
    io.stderr(`${command.command} command failed: ${describeError(error)}\n`)
    return 1
  } finally {
    await session?.close().catch(() => {})
  }
}
