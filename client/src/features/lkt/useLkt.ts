import { useFeatureApi } from '../../api/session';
import { useFeatureT } from '../reports/featureI18n';
import { lktEndpoints } from './api';
import { lktMessages } from './i18n';

/** The LKT strings (namespace `lkt`), typed. */
export const useLktT = () => useFeatureT('lkt', lktMessages);

/** The LKT endpoints on the session's client. */
export const useLktApi = () => useFeatureApi(lktEndpoints);
