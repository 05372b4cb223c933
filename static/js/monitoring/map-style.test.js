import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FLAGGED_COLOUR,
  NO_TARGET_COLOUR,
  PERCENT_COLOURS,
  STATUS_COLOURS,
  UNFLAGGED_COLOUR,
  clusterColour,
  clusterSize,
  percentColour,
  pointColour,
  shortCount,
} from "./map-style.js";

test("percent colours step every 25 % and clamp at both ends", () => {
  assert.equal(percentColour(0), PERCENT_COLOURS[0]);
  assert.equal(percentColour(24.9), PERCENT_COLOURS[0]);
  assert.equal(percentColour(25), PERCENT_COLOURS[1]);
  assert.equal(percentColour(74.99), PERCENT_COLOURS[2]);
  assert.equal(percentColour(100), PERCENT_COLOURS[3]);
  assert.equal(percentColour(130), PERCENT_COLOURS[3]);
  assert.equal(percentColour(-5), PERCENT_COLOURS[0]);
});

test("an area without a VK1 target is grey", () => {
  assert.equal(percentColour(null), NO_TARGET_COLOUR);
  assert.equal(percentColour(undefined), NO_TARGET_COLOUR);
  assert.equal(percentColour(Number.NaN), NO_TARGET_COLOUR);
});

test("points take their status colour, or the flag colour in flag mode", () => {
  assert.equal(pointColour({ status: "returned", flagged: true }, "status"), STATUS_COLOURS.returned);
  assert.equal(pointColour({ status: "returned", flagged: true }, "flag"), FLAGGED_COLOUR);
  assert.equal(pointColour({ status: "approved", flagged: false }, "flag"), UNFLAGGED_COLOUR);
  assert.equal(pointColour({ status: "unknown" }, "status"), STATUS_COLOURS.draft);
});

test("a cluster takes the colour of the status most of its families have", () => {
  const cluster = { count: 10, approved: 2, submitted: 7, returned: 1, flagged: 0 };
  assert.equal(clusterColour(cluster, "status"), STATUS_COLOURS.submitted);
  assert.equal(clusterColour({ ...cluster, returned: 8, submitted: 0 }, "status"), STATUS_COLOURS.returned);
  assert.equal(clusterColour({ ...cluster, flagged: 5 }, "flag"), FLAGGED_COLOUR);
  assert.equal(clusterColour({ ...cluster, flagged: 4 }, "flag"), UNFLAGGED_COLOUR);
});

test("cluster discs grow with the count within 22 to 56 pixels", () => {
  assert.equal(clusterSize(1), 22);
  assert.ok(clusterSize(100) > clusterSize(10));
  assert.equal(clusterSize(10 ** 9), 56);
});

test("counts are shortened with an Indonesian decimal comma", () => {
  assert.equal(shortCount(950), "950");
  assert.equal(shortCount(1234), "1,2k");
  assert.equal(shortCount(15400), "15k");
  assert.equal(shortCount(1_250_000), "1,3 jt");
});
