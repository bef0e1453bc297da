/**
 * The dashboard's charts (recharts), in a chunk of their own that only the admin area
 * loads. Charts are pictures for sighted readers: each is hidden from assistive
 * technology and followed by a table with the same numbers.
 */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../shared/format';

export interface Series {
  key: string;
  label: string;
}

export interface ChartProps {
  data: Record<string, string | number | null>[];
  /** The category (x) field of each datum. */
  category: string;
  series: Series[];
  /** Formats a category for ticks and tooltips. */
  formatCategory?: (value: string) => string;
}

const COLORS = ['#0b5cad', '#a34700', '#1e6b34'];
const DASHES = [undefined, '6 3', '2 3'];

function useAxes() {
  const { i18n } = useTranslation();
  const rtl = i18n.dir() === 'rtl';
  const number = (v: number) => formatNumber(v, i18n.language);
  return { rtl, number };
}

export function TimeChart({ data, category, series, formatCategory }: ChartProps) {
  const { rtl, number } = useAxes();
  return (
    <div className="chart" aria-hidden="true">
      <LineChart responsive data={data} accessibilityLayer={false} style={{ width: '100%', height: 240 }} margin={{ top: 8, right: 12, bottom: 8, left: 12 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={category} reversed={rtl} tickFormatter={formatCategory} minTickGap={16} />
        <YAxis orientation={rtl ? 'right' : 'left'} allowDecimals={false} tickFormatter={number} width={48} />
        <Tooltip labelFormatter={(v) => (formatCategory ? formatCategory(String(v)) : String(v))} formatter={(v) => number(Number(v))} />
        <Legend />
        {series.map((s, i) => (
          <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={COLORS[i % COLORS.length]} strokeDasharray={DASHES[i % DASHES.length]} strokeWidth={2} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </div>
  );
}

export function BarsChart({ data, category, series, formatCategory }: ChartProps) {
  const { rtl, number } = useAxes();
  return (
    <div className="chart" aria-hidden="true">
      <BarChart responsive data={data} accessibilityLayer={false} style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 12, bottom: 8, left: 12 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={category} reversed={rtl} tickFormatter={formatCategory} interval="preserveStartEnd" minTickGap={8} />
        <YAxis orientation={rtl ? 'right' : 'left'} allowDecimals={false} tickFormatter={number} width={48} />
        <Tooltip formatter={(v) => number(Number(v))} />
        <Legend />
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </div>
  );
}
