/**
 * The main job through openapi-fetch, typed by the paths openapi-typescript generates
 * from the contract (build/clients/ts/schema.d.ts, made by `make clients`).
 *
 * A service account gets a token, records an enterprise and its inspection, opens an
 * illegal-construction case as a partial draft, completes the draft, publishes it, and
 * finds the notice in the public list. `make clients` type-checks this with
 * `tsc --strict`, then runs it with node against a throwaway server
 * (clients/live_server.py), which gives it MAIN_JOB_BASE_URL, MAIN_JOB_CLIENT_ID and
 * MAIN_JOB_CLIENT_SECRET.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../build/clients/ts/schema";

type Case = components["schemas"]["CaseOut"];
type Api = Client<paths>;

// Node's globals, without @types/node (only `process.env` and the exit code are used).
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const COUNTY = "220322"; // 梨树县, in the reference data `seed` loads
const OWNER = `${COUNTY}-ecoenv`; // the service account's department
const CREDIT_CODE = "91220322000000027C"; // valid (GB 32100); the database is fresh

class JobFailed extends Error {}

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new JobFailed(`${name} is not set`);
  return value;
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The parsed answer when the status is the one expected; otherwise the problem. */
function expect<T>(what: string, status: number, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.status !== status || answer.data === undefined) {
    throw new JobFailed(`${what}: expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

function ifMatch(c: Case): string {
  return `"${c.version}"`;
}

async function token(baseUrl: string): Promise<string> {
  const anonymous = createClient<paths>({ baseUrl });
  const answer = await anonymous.POST("/api/v1/auth/token", {
    body: {
      grant_type: "client_credentials",
      client_id: setting("MAIN_JOB_CLIENT_ID"),
      client_secret: setting("MAIN_JOB_CLIENT_SECRET"),
    },
    bodySerializer: (form) => {
      const fields = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        if (typeof value === "string") fields.set(key, value);
      }
      return fields;
    },
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  return expect("POST /auth/token", 200, answer).access_token;
}

async function openDraft(api: Api): Promise<Case> {
  const enterprise = expect(
    "POST /enterprises",
    201,
    await api.POST("/api/v1/enterprises", {
      body: {
        name: "梨树县某某水泥有限公司",
        credit_code: CREDIT_CODE,
        address: "吉林省四平市梨树县梨树镇工业路1号",
        jurisdiction: COUNTY,
        industry: "水泥",
        legal_representative: "张三",
      },
    }),
  );
  const inspection = expect(
    "POST /inspections",
    201,
    await api.POST("/api/v1/inspections", {
      body: {
        enterprise_id: enterprise.id,
        kind: "inspection",
        departments: [],
        completed_on: day(-2),
        items: [
          {
            domain: "environment",
            item: "颗粒物排放浓度",
            measured_value: 85.3,
            limit_value: 50,
            unit: "mg/m³",
            standard: "GB 13271-2014",
            compliant: false,
          },
        ],
        conclusion: "颗粒物排放超标，责令限期整改。",
      },
    }),
  );
  const draft = expect(
    "POST /cases",
    201,
    await api.POST("/api/v1/cases", {
      body: {
        category: "illegal",
        enterprise_id: enterprise.id,
        inspection_id: inspection.id,
        payload: {
          illegal_matters: [
            {
              matter: "未批先建",
              facts: "2019年起未取得环评批复擅自建设年产30万吨水泥粉磨生产线。",
              legal_basis: "《环境影响评价法》第二十五条",
            },
          ],
          handling_basis: "《环境影响评价法》第三十一条",
        },
      },
    }),
  );
  if (draft.status !== "draft") throw new JobFailed(`a new case is a draft, not ${draft.status}`);
  return draft;
}

// The two calls below are where the contract's untyped bodies are (issue 16 item 1 types
// them as unions on `category` and `action`): each is kept in one function so that it
// follows the contract in one place.

/** PATCH the draft's missing handling fields in. */
async function editDraft(api: Api, c: Case): Promise<Case> {
  const answer = await api.PATCH("/api/v1/cases/{case_id}", {
    params: { path: { case_id: c.id }, header: { "If-Match": ifMatch(c) } },
    body: {
      category: "illegal",
      handling_requirements: "停止建设，拆除违规建设的生产线。",
      completion_deadline: day(180),
      responsible_departments: [OWNER, `${COUNTY}-natres`],
    },
  });
  return expect("PATCH /cases/{id}", 200, answer);
}

/** The `publish` step: the notice goes out, the case is publicized. */
async function publish(api: Api, c: Case): Promise<Case> {
  const answer = await api.POST("/api/v1/cases/{case_id}/transitions", {
    params: { path: { case_id: c.id }, header: { "If-Match": ifMatch(c) } },
    body: { action: "publish" },
  });
  return expect("POST /cases/{id}/transitions publish", 200, answer);
}

async function main(): Promise<void> {
  const baseUrl = setting("MAIN_JOB_BASE_URL");
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${await token(baseUrl)}` } });
  const draft = await openDraft(api);
  const edited = await editDraft(api, draft);
  if (edited.version <= draft.version) throw new JobFailed("the edit did not make a new version");
  const published = await publish(api, edited);
  if (published.status !== "publicized") {
    throw new JobFailed(`after publish the case is ${published.status}, not publicized`);
  }
  const read = expect(
    "GET /cases/{id}",
    200,
    await api.GET("/api/v1/cases/{case_id}", { params: { path: { case_id: published.id } } }),
  );
  if (read.status !== "publicized") throw new JobFailed(`GET /cases/{id} reads ${read.status}`);
  // The public list, read without a token.
  const listing = expect("GET /disclosures", 200, await createClient<paths>({ baseUrl }).GET("/api/v1/disclosures"));
  const notices = listing.items.filter((item) => item.enterprise.credit_code === CREDIT_CODE);
  if (notices.length !== 1) {
    throw new JobFailed(`the public list has ${notices.length} notices of the enterprise, not 1`);
  }
  console.log(`typescript client: case ${read.id} publicized, notice ${notices[0]?.id} in the public list`);
}

main().catch((failure: unknown) => {
  console.error(`typescript client main job FAILED: ${failure instanceof Error ? failure.message : String(failure)}`);
  process.exitCode = 1;
});
