// An in-memory user table, so the airplane runs without a database (Prisma in the Remix stacks).
type UserRow = { id: string; email: string; passwordHash: string };

const rows = new Map<string, UserRow>();

export const db = {
  user: {
    async create({ data }: { data: { email: string; passwordHash: string } }): Promise<UserRow> {
      const row = { id: `u_${rows.size + 1}`, ...data };
      rows.set(row.email, row);
      return row;
    },
    async findUnique({ where }: { where: { email: string } }): Promise<UserRow | null> {
      return rows.get(where.email) ?? null;
    },
    async delete({ where }: { where: { email: string } }): Promise<UserRow> {
      const row = rows.get(where.email);
      if (!row) throw new Error('no such user');
      rows.delete(where.email);
      return row;
    },
  },
};
