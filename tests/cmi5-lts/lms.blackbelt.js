/*
 * Black Belt adapter for ADL's CATAPULT cmi5 LMS Test Suite (lts/lib/lms.template.js
 * interface). Loaded by the suite's jest.setup.js through CATAPULT_LMS; tests/cmi5-lts/run.sh
 * sets the environment:
 *
 *   BB_URL       Black Belt's base URL (e.g. http://127.0.0.1:38211)
 *   BB_KEY       admin credential key (bootstrap `key:` line)
 *   BB_SECRET    admin credential secret (bootstrap `secret:` line)
 *   CATAPULT_LTS_DIR  the suite's lts/ folder (for its InvalidPackageError class)
 *   BB_LTS_WAIVE=0 / BB_LTS_ABANDON=0  report waive / abandon as unavailable (tests skipped)
 *
 * What each function maps to (see README.md):
 *   importCourse   POST /api/packages (zip or bare cmi5.xml); 4xx -> InvalidPackageError;
 *                  a re-import of a retired course restores it
 *   getLaunchUrl   POST /api/launches with the AU's publisher id (AU index in cmi5.xml order)
 *   cleanup        POST /api/courses/{course}/retire for every course this test imported
 *   waiveAU        POST /api/registrations/{registration}/waive
 *   abandonSession POST /api/sessions/{sessionId}/abandon
 *   LRS            {BB_URL}/xapi with the admin credential (Basic)
 *
 * Only Node's core modules are used, so this file runs from outside the suite's folder.
 */
"use strict";

const http = require("http"),
    https = require("https"),
    path = require("path");

const ltsDir = process.env.CATAPULT_LTS_DIR;
if (! ltsDir) {
    throw new Error("CATAPULT_LTS_DIR is not set (the suite's lts/ folder)");
}
// Must be the suite's own class: the package tests check `instanceof InvalidPackageError`.
// eslint-disable-next-line import/no-dynamic-require
const {InvalidPackageError} = require(path.join(ltsDir, "lib", "errors"));

let baseUrl,
    authHeader;
const state = {
    // course id -> AU publisher ids in cmi5.xml order
    aus: new Map(),
    // course ids imported since the last cleanup
    imported: [],
    // registration -> course id, from launch answers (for waiveAU)
    registrations: new Map()
};

const request = (method, urlPath, {body, contentType, headers: extra} = {}) => new Promise((resolve, reject) => {
    const url = new URL(urlPath, baseUrl),
        lib = url.protocol === "https:" ? https : http,
        headers = {Authorization: authHeader, Accept: "application/json", ...extra};
    let payload;
    if (body !== undefined) {
        payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
        headers["Content-Type"] = contentType || "application/json";
        headers["Content-Length"] = payload.length;
    }
    const req = lib.request(url, {method, headers}, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json;
            try {
                json = text ? JSON.parse(text) : undefined;
            }
            catch (ex) {
                json = undefined;
            }
            resolve({status: res.statusCode, text, json});
        });
        res.on("error", reject);
    });
    req.on("error", reject);
    if (payload) {
        req.write(payload);
    }
    req.end();
});

const describe = (res) => (res.json && res.json.message ?
    `${res.status} ${res.json.error}: ${res.json.message}` :
    `${res.status} ${res.text.slice(0, 500)}`);

const readStream = (stream) => new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
});

const enc = encodeURIComponent;

// What counts as "the LMS refused an invalid package": a 4xx about the content. Black Belt
// reads zips and bare course-structure XML, so a 415 for either is not a refusal of the
// package but a gap in the server (it counts as a failure); a 415 for anything else
// (e.g. the suite's text/markdown file) is a refusal. Credential, size and rate answers
// are never refusals.
const ACCEPTED_TYPES = ["application/zip", "text/xml", "application/xml"];
const isRefusal = (status, contentType) => {
    if (status < 400 || status >= 500 || [401, 403, 408, 413, 429].includes(status)) {
        return false;
    }
    if (status === 415) {
        const type = (contentType || "").split(";")[0].trim().toLowerCase();
        return ! ACCEPTED_TYPES.includes(type);
    }
    return true;
};

// One line per import (BB_LTS_IMPORT_LOG): which rule the server named for a refusal.
const logImport = (filename, contentType, res) => {
    if (process.env.BB_LTS_IMPORT_LOG) {
        require("fs").appendFileSync(
            process.env.BB_LTS_IMPORT_LOG,
            `${filename} (${contentType}): ${describe(res).replace(/\s+/g, " ").slice(0, 400)}\n`
        );
    }
};

// AU publisher ids in cmi5.xml order: from the import answer when it lists them,
// otherwise from the catalog (retired courses included).
const ausOf = async (courseId) => {
    if (state.aus.has(courseId)) {
        return state.aus.get(courseId);
    }
    const res = await request("GET", "/api/courses?all=true");
    if (res.status !== 200) {
        throw new Error(`GET /api/courses: ${describe(res)}`);
    }
    const course = res.json.find((c) => c.courseId === courseId);
    if (! course) {
        throw new Error(`course ${courseId} is not in the catalog`);
    }
    const ids = course.aus.map((au) => au.auId);
    state.aus.set(courseId, ids);
    return ids;
};

// BB_LTS_DUMP (a file): after each test, one line per statement of every registration
// launched in it (verb, object, grouping, session), to read what the suite saw.
const dumped = new Set();
const dumpStatements = async () => {
    const file = process.env.BB_LTS_DUMP;
    if (! file) {
        return;
    }
    const fs = require("fs");
    for (const [registration, courseId] of state.registrations) {
        if (dumped.has(registration)) {
            continue;
        }
        dumped.add(registration);
        const res = await request("GET", `/xapi/statements?registration=${registration}&ascending=true`, {
            headers: {"X-Experience-API-Version": "1.0.3"}
        });
        const lines = [`# ${courseId} registration ${registration}: ${res.status}`];
        for (const [i, st] of ((res.json && res.json.statements) || []).entries()) {
            const ctx = st.context || {},
                ca = ctx.contextActivities || {},
                ext = ctx.extensions || {};
            lines.push(`  [${i}] ${st.verb.id.replace(/^.*\//, "")} ${st.object.id}` +
                ` type=${(st.object.definition || {}).type || "-"}` +
                ` grouping=${JSON.stringify((ca.grouping || []).map((a) => a.id))}` +
                ` session=${ext["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] || "-"}`);
        }
        fs.appendFileSync(file, lines.join("\n") + "\n");
    }
};

// BB_LTS_RESULTS (a file): after each test, the AU's own verdict as its page shows it
// (`#result`: success, reqId, msg). The suite prints it only when the run ends, if at all.
let lastResultUrl;
const recordAuResult = async () => {
    const file = process.env.BB_LTS_RESULTS;
    // jest-puppeteer's page, shared by the suite's tests
    if (! file || typeof page === "undefined") {
        return;
    }
    try {
        const url = page.url(),
            text = await page.evaluate(() => {
                const el = document.getElementById("result");
                return el ? el.textContent : null;
            });
        if (text === null || url === lastResultUrl) {
            return;
        }
        lastResultUrl = url;
        const where = new URL(url).pathname.split("/").slice(0, 3).join("/");
        let verdict = text;
        try {
            const r = JSON.parse(text);
            verdict = `${r.success ? "PASS" : "FAIL"}${r.isError ? " (error)" : ""} ${r.reqId || ""} ${r.msg || ""}`;
        }
        catch (ex) {
            // keep the raw text
        }
        require("fs").appendFileSync(file, `${where}: ${verdict.replace(/\s+/g, " ").trim()}\n`);
    }
    catch (ex) {
        // no page, or it is gone: nothing to record
    }
};

const flag = (name) => process.env[name] !== "0";

module.exports = {
    setup: async () => {
        for (const name of ["BB_URL", "BB_KEY", "BB_SECRET"]) {
            if (! process.env[name]) {
                throw new Error(`${name} is not set`);
            }
        }
        baseUrl = process.env.BB_URL.replace(/\/+$/, "") + "/";
        authHeader = `Basic ${Buffer.from(`${process.env.BB_KEY}:${process.env.BB_SECRET}`).toString("base64")}`;
        const res = await request("GET", "/readyz");
        if (res.status !== 200) {
            throw new Error(`Black Belt is not ready at ${baseUrl}: ${describe(res)}`);
        }
    },

    teardown: async () => {
        await module.exports.cleanup();
    },

    // The suite appends `/statements`, so no trailing slash.
    getLrsEndpoint: () => `${baseUrl}xapi`,

    getLrsAuthHeader: () => authHeader,

    importCourse: async (stream, contentType, filename) => {
        const body = await readStream(stream);
        let res;
        try {
            res = await request("POST", "/api/packages", {body, contentType});
        }
        catch (ex) {
            throw new Error(`import of ${filename} failed: ${ex}`);
        }
        logImport(filename, contentType, res);
        if (isRefusal(res.status, contentType)) {
            throw new InvalidPackageError(`Invalid package ${filename}: ${describe(res)}`);
        }
        if (res.status !== 200 && res.status !== 201) {
            throw new Error(`import of ${filename}: ${describe(res)}`);
        }
        const outcome = res.json,
            courseId = outcome.courseId;
        if (outcome.retired) {
            // Imported before and retired by an earlier test's cleanup: bring it back.
            const restored = await request("POST", `/api/courses/${enc(courseId)}/restore`);
            if (restored.status !== 200) {
                throw new Error(`restore of ${courseId}: ${describe(restored)}`);
            }
        }
        if (Array.isArray(outcome.aus)) {
            state.aus.set(courseId, outcome.aus.map((au) => (typeof au === "string" ? au : au.auId)));
        }
        else {
            state.aus.delete(courseId);
        }
        state.imported.push(courseId);
        return courseId;
    },

    getLaunchUrl: async (courseId, auIndex, actor, {registration, launchMode} = {}) => {
        const aus = await ausOf(courseId);
        if (auIndex < 0 || auIndex >= aus.length) {
            throw new Error(`course ${courseId} has ${aus.length} AUs, no index ${auIndex}`);
        }
        const body = {
            learner: {account: {homePage: actor.account.homePage, name: actor.account.name}},
            courseId,
            auId: aus[auIndex],
            launchMode: launchMode || "Normal"
        };
        if (registration) {
            body.registration = registration;
        }
        const res = await request("POST", "/api/launches", {body});
        if (res.status !== 201) {
            throw new Error(`POST /api/launches: ${describe(res)}`);
        }
        state.registrations.set(res.json.registration, courseId);
        return res.json.launchUrl;
    },

    cleanup: async () => {
        await recordAuResult();
        await dumpStatements();
        const courses = state.imported.splice(0);
        for (const courseId of new Set(courses)) {
            const res = await request("POST", `/api/courses/${enc(courseId)}/retire`);
            if (res.status !== 200) {
                console.log(`lms.blackbelt: retire ${courseId}: ${describe(res)}`);
            }
        }
    },

    hasWaive: () => flag("BB_LTS_WAIVE"),

    waiveAU: async (registration, auIndex, reason) => {
        const courseId = state.registrations.get(registration);
        if (! courseId) {
            throw new Error(`registration ${registration} was not launched by this adapter`);
        }
        const aus = await ausOf(courseId);
        const res = await request("POST", `/api/registrations/${enc(registration)}/waive`, {
            body: {auId: aus[auIndex], reason}
        });
        if (res.status !== 200 && res.status !== 204) {
            throw new Error(`waive AU ${auIndex} of ${registration}: ${describe(res)}`);
        }
    },

    hasAbandon: () => flag("BB_LTS_ABANDON"),

    abandonSession: async (sessionId) => {
        const res = await request("POST", `/api/sessions/${enc(sessionId)}/abandon`, {body: {}});
        if (res.status !== 200 && res.status !== 204) {
            throw new Error(`abandon session ${sessionId}: ${describe(res)}`);
        }
    }
};
