// aws-local-stepfunctions 3.0.0 calls Promise.withResolvers, which Node 20 lacks.
type Resolvers = { promise: Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };
const P = Promise as unknown as { withResolvers?: () => Resolvers };
if (!P.withResolvers) {
  P.withResolvers = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
