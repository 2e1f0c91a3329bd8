import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl, scrubSecret } from '../../src/cluster/redact-url.ts';

test('redactUrl(url) hides the password and keeps user, host, port and path', () => {
  assert.equal(redactUrl('redis://lab:s3cret@host:6379/2'), 'redis://lab:***@host:6379/2');
  assert.equal(redactUrl('rediss://:pw@h:6380'), 'rediss://:***@h:6380');
  assert.equal(redactUrl('redis://p%40ss:w%3Ard@h'), 'redis://p%40ss:***@h');
  assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
  assert.equal(redactUrl('redis://user@host'), 'redis://user@host');
});

test('redactUrl works on strings that are not valid URLs, and a password containing @ or : does not leak', () => {
  assert.equal(redactUrl('redis://u:a@b:c@host:1'), 'redis://u:***@host:1');
  assert.equal(redactUrl('not a url'), 'not a url');
});

test('scrubSecret(text, secret) removes the secret and its URL-encoded form', () => {
  assert.equal(scrubSecret('auth p@ss failed (p%40ss)', 'p@ss'), 'auth *** failed (***)');
  assert.equal(scrubSecret('nothing here', undefined), 'nothing here');
});

test('redactUrl hides the password of a URL written without its scheme', () => {
  assert.equal(redactUrl('u:topsecret@h:1'), 'u:***@h:1');
});
