/** A billion laughs: nine levels of nine aliases each, 387 million strings if expanded. */
export const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((level, i) => `${level}: &${level} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`),
  "name: laughs",
  "stages: [{ percent: 100 }]",
].join("\n");

/**
 * Plans every way in refuses with the same words: `message` is what each says about the plan,
 * after its own prefix (the file's name, "plan", or the field).
 */
export const BAD_PLANS: { what: string; name: string; text: string; message: string }[] = [
  {
    what: "a name longer than 63 characters",
    name: "long-name",
    text: `name: ${"a".repeat(100)}\nstages: [{ percent: 100 }]\n`,
    message: `must be at most 63 characters (got "${"a".repeat(40)}"…, 100 characters)`,
  },
  {
    what: "a soak of 99999999999999999999999h",
    name: "huge-soak",
    text: "name: huge-soak\nstages: [{ percent: 5, soak: 99999999999999999999999h }, { percent: 100 }]\n",
    message: 'must be at most 30d (got "99999999999999999999999h")',
  },
  {
    what: "a soak of 1e400",
    name: "infinite-soak",
    text: "name: infinite-soak\nstages: [{ percent: 5, soak: 1e400 }, { percent: 100 }]\n",
    message: "must be a finite number (got Infinity)",
  },
  {
    what: "a check every millisecond",
    name: "hasty",
    text: "name: hasty\nstages: [{ percent: 100 }]\npolicy: { checkInterval: 1ms }\n",
    message: 'must be at least 1s (got "1ms")',
  },
  {
    what: "10,000 stages",
    name: "many-stages",
    text: JSON.stringify({ name: "many-stages", stages: Array.from({ length: 10_000 }, (_, i) => ({ percent: (i + 1) / 100 })) }),
    message: "is larger than 64 KiB, the most a plan may be",
  },
  {
    what: "21 stages",
    name: "stages-21",
    text: JSON.stringify({ name: "stages-21", stages: Array.from({ length: 21 }, (_, i) => ({ percent: ((i + 1) * 100) / 21 })) }),
    message: "must have at most 20 stages (got 21)",
  },
  {
    what: "an alias bomb",
    name: "laughs",
    text: ALIAS_BOMB,
    message: "repeats its YAML aliases more than the 100 times a plan may; write the repeated parts out",
  },
  {
    what: "a YAML syntax error",
    name: "broken",
    text: "name: broken\nstages:\n  - { percent: 5\n  - { percent: 100 }\n",
    message: "is not valid YAML or JSON at line 4, column 3: Flow map in block collection must be sufficiently indented and end with a }",
  },
];
