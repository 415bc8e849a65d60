// Type tests of vk-typed/testing: a handler's params and answer are those of its
// method (as the SDK types them), recorded calls are typed by method, and faults
// and errors are what `inject()` takes. Compiled by test/types/compile.test.ts.
import type { UsersUserFull, WallPostResponse } from '../../src/index.js';
import {
  captchaError,
  FakeApiError,
  RawReply,
  startFakeVk,
  vkError,
  type FakeCall,
  type FakeMethodHandler,
} from '../../src/testing/index.js';

export async function handlers(): Promise<void> {
  await using fake = await startFakeVk();
  fake.handle('users.get', (params) => {
    const ids: readonly (number | string)[] | undefined = params.user_ids;
    const fields: readonly string[] | undefined = params.fields;
    return (ids ?? []).map((id) => ({ id: Number(id), first_name: 'A', last_name: String(fields?.length) }));
  });
  fake.handle('wall.post', async (params, call) => {
    const message: string | undefined = params.message;
    const form: Readonly<Record<string, string>> = call.form;
    const token: string | undefined = call.token;
    return { post_id: message === undefined ? 0 : form['v'] === token ? 1 : 2 };
  });
  fake.handle('utils.getServerTime', 1_700_000_000);
  fake.handle('wall.post', () => captchaError());
  fake.handle('wall.post', () => new RawReply(502, 'Bad Gateway'));
  fake.handle('users.get', vkError(5));
  const typed: FakeMethodHandler<'wall.post'> = () => ({ post_id: 1 }) satisfies WallPostResponse;
  fake.handle('wall.post', typed);

  // @ts-expect-error a param the method lacks
  fake.handle('users.get', (params) => [{ id: params.user_idz, first_name: 'A', last_name: 'B' }]);
  // @ts-expect-error a param of the wrong type: user_ids is a list
  fake.handle('users.get', (params: { user_ids: string }) => [{ id: Number(params.user_ids), first_name: 'A', last_name: 'B' }]);
  // @ts-expect-error a wrong answer: users.get answers a list of users
  fake.handle('users.get', () => ({ id: 1, first_name: 'A', last_name: 'B' }));
  // @ts-expect-error a wrong answer: a user's id is a number
  fake.handle('users.get', () => [{ id: '1', first_name: 'A', last_name: 'B' }]);
  // @ts-expect-error a wrong canned answer: wall.post answers { post_id }
  fake.handle('wall.post', { id: 1 });
  // @ts-expect-error a method the schema lacks takes `reply()`, not `handle()`
  fake.handle('newsection.brandNew', () => 1);
  fake.reply('newsection.brandNew', (params: Readonly<Record<string, string>>) => params['x']);
}

export async function calls(): Promise<void> {
  await using fake = await startFakeVk();
  const [call] = fake.callsOf('users.get');
  const typedCall: FakeCall<'users.get'> | undefined = call;
  const ids: readonly (number | string)[] | undefined = typedCall?.params.user_ids;
  const users: UsersUserFull[] = [];
  const untyped: FakeCall | undefined = fake.calls[0];
  const method: string | undefined = untyped?.method;
  // @ts-expect-error the params of users.get have no message
  const message: unknown = call?.params.message;
  // @ts-expect-error calls are recorded by the fake, not added by the test
  fake.calls.push(untyped!);
  return void [ids, users, method, message];
}

export async function faults(): Promise<void> {
  await using fake = await startFakeVk();
  fake.inject('users.get', 'reset', 'reset-after-run', 'http-502', 'non-json', 'malformed-json', 'slow');
  fake.inject('*', { delayMs: 100 }, { httpStatus: 503 }, vkError(10), new FakeApiError({ error_code: 1, error_msg: 'x' }));
  // @ts-expect-error not a fault
  fake.inject('users.get', 'explode');
  // @ts-expect-error a delay is given in milliseconds, as a number
  fake.inject('users.get', { delayMs: '100' });
}
