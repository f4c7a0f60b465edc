/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type {
  AgreementRow,
  CaseEventRow,
  CasePartyRow,
  CaseRow,
  FollowUpRow,
  MediationCommitteeRow,
  MediatorRow,
  CasePartRow,
  CaseTimeLimitExtensionRow,
  SupervisionAccountabilityRow,
  SupervisionNoticeRow,
  UnitEvaluationRow,
} from './db/schema.ts';
import type { CaseFigureRow, RecordWithMediator } from './loaders.ts';
import type { CaseChangeResult } from './workflow/commands.ts';
import type { HandlingUnit } from './workflow/units.ts';
import type { UnitPartFigureRow } from './workflow/unit-figures.ts';

export type CaseModel = CaseRow;
export type CasePartyModel = CasePartyRow;
export type MediationRecordModel = RecordWithMediator;
export type AgreementModel = AgreementRow;
export type FollowUpModel = FollowUpRow;
export type MediatorModel = MediatorRow;
export type MediationCommitteeDetailsModel = MediationCommitteeRow;
export type CaseConnectionModel = Connection<CaseRow> & { totalCount: number };
export type CaseEdgeModel = { cursor: string; node: CaseRow };
export type CaseEventModel = CaseEventRow;
export type SupervisionNoticeModel = SupervisionNoticeRow;
export type UnitEvaluationModel = UnitEvaluationRow;
export type DepartmentEvaluationModel = { department: UnitEvaluationRow['department']; centreOfUnit: UnitEvaluationRow | null; unitOfCentre: UnitEvaluationRow | null };
export type AccountabilityNoteModel = SupervisionAccountabilityRow;
export type CaseActorModel = { userId: string; role: string; department: string | null };
export type CaseEventConnectionModel = Connection<CaseEventRow>;
export type CaseEventEdgeModel = { cursor: string; node: CaseEventRow };
export type CaseChangeModel = CaseChangeResult;
export type CaseFiguresModel = CaseFigureRow;
export type ResidentModel = { id: string };
export type GridModel = { code: string };
export type CommunityModel = { code: string };
export type StreetModel = { code: string };
export type DistrictModel = { code: string };
export type HouseModel = { code: string };
export type IncidentModel = { id: string };
export type OrganizationModel = { id: string };
export type GroupRentalModel = { id: string };
/** A row of the department's import log (import_runs, defined in @hub/core). */
export type ImportRunModel = import('@hub/core').ImportRunRow;
/** A page of residents as columns: its key and the hub ids public security answered (what `@requires` brings). */
export type ResidentColumnsModel = { page: string; ids: string[] };
export type CaseColumnsModel = import('./db/case-columns.ts').CaseColumnsPage;
export type GroupRentalColumnsModel = { page: string; ids: string[] };
export type HandlingUnitModel = HandlingUnit;
export type CasePartModel = CasePartRow;
export type TimeLimitExtensionModel = CaseTimeLimitExtensionRow;
export type UnitPartFiguresModel = { unit: HandlingUnit; figures: UnitPartFigureRow };
export type LevelCaseFiguresModel = { level: 'COMMUNITY' | 'STREET' | 'DISTRICT'; reportedUp: number; figures: CaseFigureRow };
