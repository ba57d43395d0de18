import { describe, expect, it } from "vitest";
import { MlflowError } from "./errors.js";
import { paginate } from "./filter.js";

describe("paginate", () => {
  const items = ["a", "b", "c", "d", "e"];

  it("issues MLflow's own page tokens: base64 of {\"offset\": n}", () => {
    const first = paginate(items, 2, undefined);
    expect(first).toEqual({ items: ["a", "b"], next_page_token: Buffer.from('{"offset": 2}').toString("base64") });
    expect(paginate(items, 2, first.next_page_token)).toEqual({ items: ["c", "d"], next_page_token: Buffer.from('{"offset": 4}').toString("base64") });
  });

  it("reads a token a real MLflow server issued, and ends without a token", () => {
    expect(paginate(items, 10, "eyJvZmZzZXQiOiAxfQ==")).toEqual({ items: ["b", "c", "d", "e"] });
  });

  it.each(["MQ==", "not base64 at all", Buffer.from('{"offset": -1}').toString("base64"), Buffer.from('{"offset": 1.5}').toString("base64")])(
    "refuses the token %s with INVALID_PARAMETER_VALUE",
    (token) => {
      let error: unknown;
      try {
        paginate(items, 2, token);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MlflowError);
      expect((error as MlflowError).errorCode).toBe("INVALID_PARAMETER_VALUE");
      expect((error as MlflowError).status).toBe(400);
    },
  );
});
