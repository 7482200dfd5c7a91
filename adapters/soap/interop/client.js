#!/usr/bin/env node
// Calls kabinet's SOAP endpoint through its WSDL with the npm "soap" client,
// as the insurer's website would: register a client by IIN, log in, list the
// policies, download a policy as PDF, and check that a fault arrives as one.
//
// Usage:
//   node client.js --wsdl http://127.0.0.1:8080/soap?wsdl --api-key KEY --iin 900115300011 \
//       (--code-url URL | --code-file PATH) [--insurer-key KEY]
//
// The SMS code of the registration is read, once SendRegistrationCode has
// run, from --code-url (an HTTP GET answering the code as text; 404 until
// there is one) or from --code-file (polled until it holds the code).
// With --insurer-key, a policy is first issued to the new client through
// IssuePolicy, so that the cabinet has one to list and print.
//
// Prints a JSON summary on stdout; exits 1 on any failure.
'use strict';

const fs = require('node:fs');
const crypto = require('node:crypto');
const soap = require('soap');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    if (!key.startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`unexpected argument ${key}`);
    }
    args[key.slice(2)] = argv[i + 1];
  }
  for (const required of ['wsdl', 'api-key', 'iin']) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  if (!args['code-url'] && !args['code-file']) throw new Error('--code-url or --code-file is required');
  return args;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readCode(args) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (args['code-url']) {
      const res = await fetch(args['code-url']);
      if (res.ok) return (await res.text()).trim();
    } else if (fs.existsSync(args['code-file'])) {
      const code = fs.readFileSync(args['code-file'], 'utf8').trim();
      if (code) return code;
    }
    await sleep(100);
  }
  throw new Error('no SMS code arrived within 15 s');
}

// A date as xs:date: node-soap sends a JS Date as an empty element.
function day(offsetDays) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

// The KabinetFault detail of a rejected call, in SOAP 1.1 or 1.2.
function faultOf(err) {
  const fault = err && err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault;
  if (!fault) return null;
  const detail = fault.detail || fault.Detail;
  return detail && detail.KabinetFault ? detail.KabinetFault : null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const summary = { ok: false, steps: [] };
  let current = 'start';
  const step = async (name, fn) => {
    current = name;
    const started = Date.now();
    const detail = await fn();
    summary.steps.push({ step: name, ms: Date.now() - started, ...(detail || {}) });
  };

  try {
    const options = { disableCache: true };
    const client = await soap.createClientAsync(args.wsdl, options);
    client.addHttpHeader('X-API-Key', args['api-key']);

    let registrationId;
    await step('StartRegistration', async () => {
      const [res] = await client.StartRegistrationAsync({ iin: args.iin });
      if (!res.registrationId) throw new Error('no registrationId');
      registrationId = res.registrationId;
      return { foundIn: res.foundIn };
    });

    await step('SendRegistrationCode', async () => {
      const [res] = await client.SendRegistrationCodeAsync({ registrationId });
      if (!res.sentTo) throw new Error('no sentTo');
      return {};
    });

    const code = await readCode(args);

    let clientId;
    await step('ConfirmRegistration', async () => {
      const [res] = await client.ConfirmRegistrationAsync({ registrationId, code });
      if (!res.session || !res.session.token) throw new Error('no session');
      clientId = res.session.clientId;
      return { mustChangeAccessCode: res.session.mustChangeAccessCode };
    });

    if (args['insurer-key']) {
      await step('IssuePolicy', async () => {
        const insurer = await soap.createClientAsync(args.wsdl, options);
        insurer.addHttpHeader('X-API-Key', args['insurer-key']);
        const serial = crypto.randomInt(1e7, 1e8);
        const [res] = await insurer.IssuePolicyAsync({
          kiasContractId: `KD-${serial}`,
          number: `OGPO-${serial}`,
          product: 'ogpo_vts',
          insurer: 'АО «Страховая компания»',
          startsOn: day(-10),
          endsOn: day(354),
          holder: { name: 'Ахметов Данияр', iin: args.iin },
          driver: [{ name: 'Ахметов Данияр', iin: args.iin, kbm: { class: '3', coefficient: '0.90', asOf: day(-10) } }],
          vehicle: { make: 'Toyota', model: 'Camry', plate: '123ABC02', vin: 'JTNB11HK103456789', year: 2019 },
          premium: '36000.00',
          paymentMethod: 'card',
        });
        if (!res.policyId) throw new Error('no policyId');
        return { created: res.created };
      });
    }

    await step('Login', async () => {
      const [res] = await client.LoginAsync({ login: args.iin, accessCode: code });
      if (!res.session || res.session.clientId !== clientId) throw new Error('the session is not the new client\'s');
      client.addHttpHeader('Authorization', `Bearer ${res.session.token}`);
      return {};
    });

    await step('GiveConsent', async () => {
      // A list of strings goes out as repeated elements and comes back as
      // an array, however many there are.
      const [res] = await client.GiveConsentAsync({ purpose: 'personal_data', scope: ['name', 'iin'] });
      const scope = res.consent.scope;
      if (!Array.isArray(scope) || scope.join(',') !== 'iin,name') throw new Error(`scope arrived as ${JSON.stringify(scope)}`);
      return { code: res.consent.status };
    });

    let policies = [];
    await step('ListPolicies', async () => {
      const [res] = await client.ListPoliciesAsync({});
      policies = (res && res.policy) || []; // an empty list arrives as no key at all
      if (policies.length === 0) throw new Error('no policies');
      if (Number(res.counts.all) !== policies.length) throw new Error('counts.all does not match the list');
      // Money is a named xs:decimal type, which node-soap leaves as text: exact.
      return { policies: policies.length, number: policies[0].number, premium: policies[0].premium };
    });

    await step('GetPolicyDocument', async () => {
      const [res] = await client.GetPolicyDocumentAsync({ policyId: policies[0].policyId });
      const pdf = Buffer.from(res.content || '', 'base64');
      if (pdf.subarray(0, 4).toString('latin1') !== '%PDF') throw new Error('the content is not a PDF');
      return { bytes: pdf.length, source: res.source, contentType: res.contentType };
    });

    await step('GetPolicy fault', async () => {
      try {
        await client.GetPolicyAsync({ policyId: crypto.randomUUID() });
      } catch (err) {
        const fault = faultOf(err);
        if (!fault || fault.code !== 'NOT_FOUND') throw new Error(`expected a NOT_FOUND fault, got ${err.message}`);
        return { code: fault.code, status: err.response && err.response.status };
      }
      throw new Error('an unknown policy was found');
    });

    await step('ListPolicies over SOAP 1.2', async () => {
      const client12 = await soap.createClientAsync(args.wsdl, { ...options, forceSoap12Headers: true });
      client12.addHttpHeader('X-API-Key', args['api-key']);
      client12.addHttpHeader('Authorization', client.getHttpHeaders().Authorization);
      const [res] = await client12.ListPoliciesAsync({ bucket: 'all' });
      const list = (res && res.policy) || [];
      if (list.length !== policies.length) throw new Error('SOAP 1.2 lists other policies');
      try {
        await client12.LoginAsync({ login: args.iin, accessCode: '000000' });
      } catch (err) {
        const fault = faultOf(err);
        if (!fault || fault.code !== 'INVALID_CREDENTIALS') throw new Error(`expected INVALID_CREDENTIALS, got ${err.message}`);
        return { policies: list.length, faultCode: fault.code, status: err.response && err.response.status };
      }
      throw new Error('a wrong access code logged in');
    });

    summary.ok = true;
  } catch (err) {
    summary.failedStep = current;
    summary.error = err && err.message ? err.message : String(err);
  }
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exitCode = summary.ok ? 0 : 1;
}

main();
