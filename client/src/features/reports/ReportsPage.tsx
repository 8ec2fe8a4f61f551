import { useId, useState, type FormEvent } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  ALL_SURVEY_QUESTIONS,
  ReportQuery,
  type ReportDimension,
  type ReportResponse,
  type ReportRow,
} from '@samkons/shared';
import { useFeatureApi } from '../../api/session';
import { reportsEndpoints } from './api';
import { useQuery } from '../../api/useQuery';
import { isApiError } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';
import { saveBlob } from '../../app/download';
import { osloToday } from '../../i18n/format';
import { useFeatureT, type FeatureLang, type FeatureT } from './featureI18n';
import { reportsMessages, type ReportsMessages } from './i18n';
import { csvFileName, formatNumber, monthLabel, presetPeriod, type Preset } from './format';
import './reports.css';
import { LoadFailed } from '../../app/LoadFailed';

type T = FeatureT<ReportsMessages>;
type BreakdownKey = Exclude<ReportDimension, 'total'>;
const BREAKDOWNS: { key: BreakdownKey; title: keyof ReportsMessages }[] = [
  { key: 'month', title: 'byMonth' },
  { key: 'municipality', title: 'byMunicipality' },
  { key: 'kind', title: 'byKind' },
  { key: 'role', title: 'byRole' },
];

const PRESETS: { preset: Preset; label: keyof ReportsMessages }[] = [
  { preset: 'thisMonth', label: 'presetThisMonth' },
  { preset: 'last12', label: 'presetLast12' },
  { preset: 'thisYear', label: 'presetThisYear' },
];

/** Evaluation dashboard for staff with a reporting grant (route /reports). */
export function ReportsPage() {
  const { t, lang } = useFeatureT('reports', reportsMessages);
  usePageTitle(t('title'));
  const api = useFeatureApi(reportsEndpoints);
  const [period, setPeriod] = useState<ReportQuery>(() => presetPeriod('thisYear', osloToday()));
  const [draft, setDraft] = useState(period);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState(false);
  const report = useQuery((signal) => api.reportSummary(period, signal), [period.from, period.to]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = ReportQuery.safeParse(draft);
    if (!parsed.success) {
      setDraftError(t('periodInvalid'));
      return;
    }
    setDraftError(null);
    setPeriod(parsed.data);
  };
  const choose = (preset: Preset) => {
    const p = presetPeriod(preset, osloToday());
    setDraft(p);
    setDraftError(null);
    setPeriod(p);
  };
  const download = async () => {
    setDownloadError(false);
    try {
      saveBlob(await api.reportCsv(period), csvFileName(period));
    } catch {
      setDownloadError(true);
    }
  };

  return (
    <div className="reports">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>

      <form className="reports__filters card" onSubmit={submit} noValidate>
        <fieldset>
          <legend>{t('periodLegend')}</legend>
          <div className="reports__filter-row">
            <DateField
              id="report-from"
              label={t('from')}
              value={draft.from}
              onValue={(from) => setDraft({ ...draft, from })}
            />
            <DateField
              id="report-to"
              label={t('to')}
              value={draft.to}
              onValue={(to) => setDraft({ ...draft, to })}
            />
            <button type="submit" className="button">
              {t('apply')}
            </button>
          </div>
          {draftError && (
            <p className="field__error" role="alert">
              {draftError}
            </p>
          )}
          <div className="reports__presets" role="group" aria-label={t('periodLegend')}>
            {PRESETS.map(({ preset, label }) => (
              <button
                key={preset}
                type="button"
                className="button button--secondary"
                onClick={() => choose(preset)}
              >
                {t(label)}
              </button>
            ))}
            <button
              type="button"
              className="button button--secondary"
              onClick={() => void download()}
            >
              {t('downloadCsv')}
            </button>
          </div>
          {downloadError && (
            <p className="field__error" role="alert">
              {t('downloadFailed')}
            </p>
          )}
        </fieldset>
      </form>

      {report.loading && <p role="status">{t('loading')}</p>}
      {report.error !== undefined && (
        <LoadFailed
          message={
            isApiError(report.error) && report.error.code === 'forbidden'
              ? t('forbidden')
              : t('errorLoad')
          }
          retry={t('retry')}
          onRetry={report.reload}
        />
      )}
      {report.data && !report.loading && <Report data={report.data} t={t} lang={lang} />}
    </div>
  );
}

function DateField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="date"
        value={props.value}
        required
        onChange={(e) => props.onValue(e.target.value)}
      />
    </div>
  );
}

function Report({ data, t, lang }: { data: ReportResponse; t: T; lang: FeatureLang }) {
  const n = (v: number, digits = 1) => formatNumber(v, lang, digits);
  const total = data.total;
  const e = data.explanation;
  return (
    <>
      <section aria-labelledby="totals-h">
        <h2 id="totals-h">{t('totalsTitle')}</h2>
        {total.sessions === 0 && <p role="status">{t('empty')}</p>}
        <ul className="reports__totals" data-testid="report-totals">
          <Figure
            id="sessions"
            label={t('sessions')}
            value={n(total.sessions, 0)}
            formula={t('formulaSessions', { hours: n(total.sessionHours) })}
            t={t}
          />
          <Figure
            id="km"
            label={t('km')}
            value={t('valueKm', { value: n(total.km) })}
            formula={e.km[lang]}
            t={t}
          />
          <Figure
            id="hours"
            label={t('travelHours')}
            value={t('valueHours', { value: n(total.travelHours) })}
            formula={e.hours[lang]}
            t={t}
          />
          <Figure
            id="co2"
            label={t('kgCo2')}
            value={t('valueKg', { value: n(total.kgCo2) })}
            formula={e.kgCo2[lang]}
            t={t}
          />
          <Figure
            id="cost"
            label={t('costNok')}
            value={t('valueNok', { value: n(total.costNok, 0) })}
            formula={e.costNok[lang]}
            t={t}
          />
          <Figure
            id="attendance"
            label={t('attendance')}
            value={t('valueAttendance', {
              participants: n(total.participants, 0),
              hours: n(total.attendanceHours),
            })}
            formula={t('formulaAttendance', { source: t('attendanceSourceNote') })}
            t={t}
          />
          <Figure
            id="survey"
            label={t('surveyMean')}
            value={
              total.surveyMean === null
                ? t('noAnswers')
                : t('valueSurvey', { value: n(total.surveyMean, 2) })
            }
            formula={t('formulaSurvey', { answers: n(total.surveyAnswers, 0) })}
            t={t}
          />
          <Figure
            id="lkt-plan"
            label={t('lktPlan')}
            value={t('valueLktPlan', {
              sessions: n(total.sessionsWithPlan, 0),
              total: n(total.sessions, 0),
            })}
            formula={t('formulaLktPlan', { items: n(total.planItems, 0) })}
            t={t}
          />
          <Figure
            id="lkt-on-time"
            label={t('lktOnTime')}
            value={t('valueLktOnTime', {
              done: n(total.planItemsDoneOnTime, 0),
              due: n(total.planItemsWithDue, 0),
            })}
            formula={t('formulaLktOnTime')}
            t={t}
          />
          <Figure
            id="lkt-private"
            label={t('lktPrivate')}
            value={t('valueLktPrivate', { sessions: n(total.sessionsWithPrivatePart, 0) })}
            formula={t('formulaLktPrivate')}
            t={t}
          />
        </ul>
      </section>

      <section aria-labelledby="breakdowns-h">
        <h2 id="breakdowns-h">{t('breakdownsTitle')}</h2>
        {BREAKDOWNS.map((b) => (
          <Breakdown
            key={b.key}
            dimension={b.key}
            title={t(b.title)}
            rows={data.breakdowns[b.key]}
            t={t}
            lang={lang}
          />
        ))}
      </section>

      <section aria-labelledby="survey-h">
        <h2 id="survey-h">{t('surveyTitle')}</h2>
        <table className="reports__table">
          <thead>
            <tr>
              <th scope="col">{t('question')}</th>
              <th scope="col">{t('mean')}</th>
            </tr>
          </thead>
          <tbody>
            {ALL_SURVEY_QUESTIONS.map((q) => {
              const v = total.scores[q];
              return (
                <tr key={q}>
                  <th scope="row">{t(`score_${q}`)}</th>
                  <td>{v === null || v === undefined ? '–' : n(v, 2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <h3>{t('commentsTitle')}</h3>
        {data.comments.length === 0 ? (
          <p>{t('noComments')}</p>
        ) : (
          <ul className="reports__comments">
            {data.comments.map((c, i) => (
              <li key={i}>
                <blockquote>{c.text}</blockquote>
                <small>
                  {t(`audience_${c.audience}`)}, {monthLabel(c.month, lang)}
                </small>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="sources-h">
        <h2 id="sources-h">{t('sourcesTitle')}</h2>
        <p>{t('sourcesNote')}</p>
        <ul className="reports__sources">
          {data.factors.map((f) => (
            <li key={f.mode}>
              <details>
                <summary>
                  {t('factorLine', {
                    mode: t(`mode_${f.mode}`),
                    co2: n(f.kgCo2PerKm, 3),
                    speed: n(f.speedKmh, 0),
                    perKm: n(f.costPerKmNok, 2),
                    perTrip: n(f.costPerTripNok, 0),
                  })}
                </summary>
                <ul>
                  {f.sources.map((s) => (
                    <li key={s} lang="en">
                      {s}
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Figure(props: { id: string; label: string; value: string; formula: string; t: T }) {
  const formulaId = useId();
  return (
    <li className="reports__figure card" data-testid={`figure-${props.id}`}>
      <span className="reports__figure-label">{props.label}</span>
      <strong className="reports__figure-value" aria-describedby={formulaId}>
        {props.value}
      </strong>
      <p id={formulaId} className="reports__formula">
        <span className="visually-hidden">{props.t('formulaLabel')}: </span>
        {props.formula}
      </p>
    </li>
  );
}

function keyLabel(dimension: BreakdownKey, key: string, t: T, lang: FeatureLang): string {
  switch (dimension) {
    case 'month':
      return monthLabel(key, lang);
    case 'municipality':
      return key === 'unknown' ? t('unknownMunicipality') : key;
    case 'kind':
      return t(`kind_${key}` as keyof ReportsMessages);
    case 'role':
      return t(`role_${key}` as keyof ReportsMessages);
  }
}

function Breakdown(props: {
  dimension: BreakdownKey;
  title: string;
  rows: ReportRow[];
  t: T;
  lang: FeatureLang;
}) {
  const { t, lang, rows, dimension } = props;
  const headingId = useId();
  const n = (v: number, digits = 1) => formatNumber(v, lang, digits);
  const chartData = rows.map((r) => ({
    name: keyLabel(dimension, r.key, t, lang),
    km: r.km,
    kg: r.kgCo2,
  }));
  return (
    <section aria-labelledby={headingId} className="reports__breakdown">
      <h3 id={headingId}>{props.title}</h3>
      {rows.length > 0 && (
        <figure className="reports__chart">
          {/* The table below carries the same figures for screen readers. */}
          <div aria-hidden="true" style={{ width: '100%', height: 260 }}>
            <ResponsiveContainer>
              <BarChart data={chartData} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis />
                <Tooltip formatter={(v) => n(Number(v))} />
                <Legend />
                <Bar dataKey="km" name={t('chartKm')} fill="#1f5f99" isAnimationActive={false} />
                <Bar dataKey="kg" name={t('chartKg')} fill="#3f8f4f" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <figcaption>{t('chartCaption', { dimension: props.title.toLowerCase() })}</figcaption>
        </figure>
      )}
      <div className="reports__table-wrap">
        <table className="reports__table" data-testid={`breakdown-${dimension}`}>
          <thead>
            <tr>
              <th scope="col">{props.title}</th>
              <th scope="col">{t('colSessions')}</th>
              <th scope="col">{t('colKm')}</th>
              <th scope="col">{t('colTravelHours')}</th>
              <th scope="col">{t('colKgCo2')}</th>
              <th scope="col">{t('colCost')}</th>
              <th scope="col">{t('colParticipants')}</th>
              <th scope="col">{t('colAttendanceHours')}</th>
              <th scope="col">{t('colSurvey')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{keyLabel(dimension, r.key, t, lang)}</th>
                <td>{n(r.sessions, 0)}</td>
                <td>{n(r.km)}</td>
                <td>{n(r.travelHours)}</td>
                <td>{n(r.kgCo2)}</td>
                <td>{n(r.costNok, 0)}</td>
                <td>{n(r.participants, 0)}</td>
                <td>{n(r.attendanceHours)}</td>
                <td>{r.surveyMean === null ? '–' : n(r.surveyMean, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
