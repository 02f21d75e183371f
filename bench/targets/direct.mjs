// The floor: the load generator talks to the simulated Trino itself, no proxy in between.
export const direct = {
  name: 'direct',
  describe: 'no proxy: load generator → backend',
  async start(ctx) {
    return { port: ctx.backendPorts[0], pids: () => [], version: undefined, stop: async () => {} };
  },
};
