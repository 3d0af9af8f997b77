import type { TemplateComponentView, TemplateParameterFormat, TemplateUpdate, TemplateView } from '../shared/templates.js';
import { inTransaction, type Pool } from './pool.js';

/**
 * The `message_templates` table and its sync stamps (`message_template_syncs`): one WABA's templates
 * as last read from Meta, kept current by template webhooks. The two tables are one repository
 * because a sync replaces the set and stamps it in one transaction.
 */
export function createMessageTemplates(pool: Pool) {
  return {
    /** Replaces the WABA's whole set with what Meta listed, and stamps the sync. */
    async replaceAll(wabaId: string, templates: readonly TemplateView[], now: Date): Promise<void> {
      return inTransaction(pool, async (client) => {
        await client.query(`DELETE FROM message_templates WHERE waba_id = $1 AND NOT (template_id = ANY($2::text[]))`, [wabaId, templates.map((t) => t.id)]);
        for (const t of templates) await upsert(client, wabaId, t, now);
        await client.query(
          `INSERT INTO message_template_syncs (waba_id, synced_at) VALUES ($1, $2) ON CONFLICT (waba_id) DO UPDATE SET synced_at = EXCLUDED.synced_at`,
          [wabaId, now],
        );
      });
    },

    /** One template (just created at Meta, or learnt of by webhook). */
    async upsert(wabaId: string, template: TemplateView, now: Date): Promise<void> {
      await upsert(pool, wabaId, template, now);
    },

    /** When the WABA's templates were last read in full; null: never. */
    async syncedAt(wabaId: string): Promise<Date | null> {
      const { rows } = await pool.query<{ synced_at: Date }>(`SELECT synced_at FROM message_template_syncs WHERE waba_id = $1`, [wabaId]);
      return rows[0]?.synced_at ?? null;
    },

    /** Forgets the stamp, so that the next reader syncs again (a webhook named a template we do not know). */
    async markStale(wabaId: string): Promise<void> {
      await pool.query(`DELETE FROM message_template_syncs WHERE waba_id = $1`, [wabaId]);
    },

    /** A page of the WABA's templates, by name and language, after the cursor `(name, language)`. */
    async list(wabaId: string, opts: { limit: number; after?: { name: string; language: string }; status?: string; name?: string }): Promise<TemplateView[]> {
      const { rows } = await pool.query(
        `SELECT template_id, name, language, category, status, parameter_format, components FROM message_templates
          WHERE waba_id = $1 AND ($2::text IS NULL OR (name, language) > ($2, $3)) AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR name = $5)
          ORDER BY name, language LIMIT $6`,
        [wabaId, opts.after?.name ?? null, opts.after?.language ?? '', opts.status ?? null, opts.name ?? null, opts.limit],
      );
      return rows.map(toView);
    },

    /** Every language version of `name`. */
    async byName(wabaId: string, name: string): Promise<TemplateView[]> {
      const { rows } = await pool.query(
        `SELECT template_id, name, language, category, status, parameter_format, components FROM message_templates WHERE waba_id = $1 AND name = $2 ORDER BY language`,
        [wabaId, name],
      );
      return rows.map(toView);
    },

    /**
     * Applies a webhook's status and/or category to the template it names (by id, else by name and
     * language). Returns how many rows changed: 0 means the template is not known here.
     */
    async applyUpdate(update: TemplateUpdate, now: Date): Promise<number> {
      const byId = update.templateId !== undefined;
      if (!byId && (update.name === undefined || update.language === undefined)) return 0;
      const { rowCount } = await pool.query(
        `UPDATE message_templates SET status = COALESCE($4, status), category = COALESCE($5, category), updated_at = $6
          WHERE waba_id = $1 AND (CASE WHEN $2::text IS NOT NULL THEN template_id = $2 ELSE name = $3 AND language = $7 END)`,
        [update.wabaId, update.templateId ?? null, update.name ?? null, update.status?.toUpperCase() ?? null, update.category?.toUpperCase() ?? null, now, update.language ?? null],
      );
      return rowCount ?? 0;
    },

    /** After a delete at Meta: every language of `name`, or the one template. */
    async remove(wabaId: string, name: string, templateId?: string): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM message_templates WHERE waba_id = $1 AND name = $2 AND ($3::text IS NULL OR template_id = $3)`, [
        wabaId,
        name,
        templateId ?? null,
      ]);
      return rowCount ?? 0;
    },

    /**
     * Retention, one batch: templates and stamps of WABAs that no channel still uses (all
     * disconnected), so a business that left is not kept. Returns the rows removed.
     */
    async purgeUnusedBatch(limit: number): Promise<number> {
      const unused = `SELECT waba_id FROM message_template_syncs s WHERE NOT EXISTS (
          SELECT 1 FROM channels c WHERE c.waba_id = s.waba_id AND c.status <> 'disconnected') LIMIT $1`;
      const { rows } = await pool.query<{ waba_id: string }>(unused, [limit]);
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.waba_id);
      const templates = await pool.query(`DELETE FROM message_templates WHERE waba_id = ANY($1::text[])`, [ids]);
      const stamps = await pool.query(`DELETE FROM message_template_syncs WHERE waba_id = ANY($1::text[])`, [ids]);
      return (templates.rowCount ?? 0) + (stamps.rowCount ?? 0);
    },
  };
}

export type MessageTemplates = ReturnType<typeof createMessageTemplates>;

async function upsert(db: Pick<Pool, 'query'>, wabaId: string, t: TemplateView, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO message_templates (waba_id, template_id, name, language, category, status, parameter_format, components, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (waba_id, template_id) DO UPDATE SET name = EXCLUDED.name, language = EXCLUDED.language, category = EXCLUDED.category,
       status = EXCLUDED.status, parameter_format = EXCLUDED.parameter_format, components = EXCLUDED.components, updated_at = EXCLUDED.updated_at`,
    [wabaId, t.id, t.name, t.language, t.category, t.status, t.parameter_format, JSON.stringify(t.components), now],
  );
}

function toView(r: Record<string, unknown>): TemplateView {
  return {
    id: r.template_id as string,
    name: r.name as string,
    language: r.language as string,
    category: r.category as string,
    status: r.status as string,
    parameter_format: r.parameter_format as TemplateParameterFormat,
    components: r.components as TemplateComponentView[],
  };
}
