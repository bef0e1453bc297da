import type { AgeRange, CampaignView, LotView, VaccineView } from '@jab/contracts';
import { isoInstant, type Db } from './sql.js';

const VACCINE_COLUMNS = `id, name, manufacturer, series_doses AS "seriesDoses", min_interval_days AS "minIntervalDays",
  min_age_years AS "minAgeYears", max_age_years AS "maxAgeYears", cvx_code AS "cvxCode"`;

const LOT_COLUMNS = `id, vaccine_id AS "vaccineId", lot_number AS "lotNumber", to_char(expires_on, 'YYYY-MM-DD') AS "expiresOn",
  recalled, recall_reason AS "recallReason", ${isoInstant('recalled_at')} AS "recalledAt"`;

const CAMPAIGN_SELECT = `SELECT c.id, c.name, to_char(c.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(c.ends_on, 'YYYY-MM-DD') AS "endsOn",
    c.target_age_bands AS "targetAgeBands",
    ARRAY(SELECT vaccine_id FROM registration.campaign_vaccines WHERE campaign_id = c.id ORDER BY vaccine_id) AS "vaccineIds",
    ARRAY(SELECT region FROM registration.campaign_regions WHERE campaign_id = c.id ORDER BY region) AS regions
  FROM registration.campaigns c`;

/** Inserts a vaccine; null when one with that name exists. */
export async function insertVaccine(db: Db, v: VaccineView): Promise<VaccineView | null> {
  const { rows } = await db.query<VaccineView>(
    `INSERT INTO registration.vaccines (id, name, manufacturer, series_doses, min_interval_days, min_age_years, max_age_years, cvx_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT ON CONSTRAINT vaccines_name_unique DO NOTHING
     RETURNING ${VACCINE_COLUMNS}`,
    [v.id, v.name, v.manufacturer, v.seriesDoses, v.minIntervalDays, v.minAgeYears, v.maxAgeYears, v.cvxCode],
  );
  return rows[0] ?? null;
}

export async function listVaccines(db: Db): Promise<VaccineView[]> {
  const { rows } = await db.query<VaccineView>(`SELECT ${VACCINE_COLUMNS} FROM registration.vaccines ORDER BY name`);
  return rows;
}

export async function findVaccine(db: Db, id: string): Promise<VaccineView | null> {
  const { rows } = await db.query<VaccineView>(`SELECT ${VACCINE_COLUMNS} FROM registration.vaccines WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The ids among `ids` that name no vaccine. */
export async function missingVaccines(db: Db, ids: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM unnest($1::uuid[]) AS wanted(id) WHERE NOT EXISTS (SELECT 1 FROM registration.vaccines v WHERE v.id = wanted.id)`,
    [ids],
  );
  return rows.map((r) => r.id);
}

export async function insertCampaign(db: Db, c: CampaignView): Promise<void> {
  await db.query(
    `INSERT INTO registration.campaigns (id, name, starts_on, ends_on, target_age_bands) VALUES ($1, $2, $3, $4, $5)`,
    [c.id, c.name, c.startsOn, c.endsOn, JSON.stringify(c.targetAgeBands)],
  );
  await db.query(
    `INSERT INTO registration.campaign_vaccines (campaign_id, vaccine_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [c.id, c.vaccineIds],
  );
  await db.query(
    `INSERT INTO registration.campaign_regions (campaign_id, region) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [c.id, c.regions],
  );
}

export async function findCampaign(db: Db, id: string): Promise<CampaignView | null> {
  const { rows } = await db.query<CampaignView>(`${CAMPAIGN_SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listCampaigns(db: Db): Promise<CampaignView[]> {
  const { rows } = await db.query<CampaignView>(`${CAMPAIGN_SELECT} ORDER BY c.starts_on DESC, c.name`);
  return rows;
}

/** Age bands of every campaign that offers `vaccineId` in `region` on `day`. */
/** The target age bands of each campaign offering a vaccine in a region on a day (SQL expressions for the three). */
export const activeCampaignBandsSql = (vaccineId: string, region: string, day: string) =>
  `SELECT c.target_age_bands AS bands FROM registration.campaigns c
     JOIN registration.campaign_vaccines cv ON cv.campaign_id = c.id AND cv.vaccine_id = ${vaccineId}
     JOIN registration.campaign_regions cr ON cr.campaign_id = c.id AND cr.region = ${region}
    WHERE (${day})::date BETWEEN c.starts_on AND c.ends_on`;

export async function activeCampaignBands(db: Db, vaccineId: string, region: string, day: string): Promise<AgeRange[][]> {
  const { rows } = await db.query<{ bands: AgeRange[] }>(activeCampaignBandsSql('$1', '$2', '$3'), [vaccineId, region, day]);
  return rows.map((r) => r.bands);
}

/** Inserts a lot; null when the vaccine already has a lot with that number. */
export async function insertLot(db: Db, lot: Pick<LotView, 'id' | 'vaccineId' | 'lotNumber' | 'expiresOn'>): Promise<LotView | null> {
  const { rows } = await db.query<LotView>(
    `INSERT INTO registration.lots (id, vaccine_id, lot_number, expires_on) VALUES ($1, $2, $3, $4)
     ON CONFLICT ON CONSTRAINT lots_number_unique DO NOTHING RETURNING ${LOT_COLUMNS}`,
    [lot.id, lot.vaccineId, lot.lotNumber, lot.expiresOn],
  );
  return rows[0] ?? null;
}

export async function listLots(db: Db, vaccineId?: string): Promise<LotView[]> {
  const { rows } = await db.query<LotView>(
    `SELECT ${LOT_COLUMNS} FROM registration.lots WHERE ($1::uuid IS NULL OR vaccine_id = $1) ORDER BY expires_on, lot_number`,
    [vaccineId ?? null],
  );
  return rows;
}

export async function findLot(db: Db, id: string): Promise<LotView | null> {
  const { rows } = await db.query<LotView>(`SELECT ${LOT_COLUMNS} FROM registration.lots WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function findLotByNumber(db: Db, vaccineId: string, lotNumber: string): Promise<LotView | null> {
  const { rows } = await db.query<LotView>(
    `SELECT ${LOT_COLUMNS} FROM registration.lots WHERE vaccine_id = $1 AND lot_number = $2`,
    [vaccineId, lotNumber],
  );
  return rows[0] ?? null;
}

/** Marks the lot recalled; null when it does not exist or was already recalled. */
export async function markLotRecalled(db: Db, id: string, reason: string, at: Date): Promise<LotView | null> {
  const { rows } = await db.query<LotView>(
    `UPDATE registration.lots SET recalled = true, recall_reason = $2, recalled_at = $3, updated_at = now()
      WHERE id = $1 AND NOT recalled RETURNING ${LOT_COLUMNS}`,
    [id, reason, at],
  );
  return rows[0] ?? null;
}

/** Serializes demo seeding when several processes start at once. */
export async function lockDemoSeed(db: Db): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('jab:registration:seed-demo', 0))`);
}
