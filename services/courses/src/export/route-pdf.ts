import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Route } from '../http/route-schemas';

// The standard PDF fonts (Helvetica…) have no Cyrillic; PT Sans does, and ships as an npm package.
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function ptSans(): { regular: Buffer; bold: Buffer } {
  if (!fonts) {
    const dir = dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/pt-sans/package.json'));
    fonts = {
      regular: readFileSync(join(dir, '400Regular', 'PTSans_400Regular.ttf')),
      bold: readFileSync(join(dir, '700Bold', 'PTSans_700Bold.ttf')),
    };
  }
  return fonts;
}

const subjectNames: Record<string, string> = {
  maths: 'Математика',
  physics: 'Физика',
  informatics: 'Информатика',
  astronomy: 'Астрономия',
  other: 'Другое',
};
const levelNames: Record<string, string> = { basic: 'базовый', advanced: 'углублённый' };
const kindNames: Record<string, string> = {
  elective: 'элективный курс',
  optional_course: 'факультатив',
  individual_lessons: 'индивидуальные занятия',
  study_visit: 'учебный выезд',
  distance_course: 'дистанционный курс',
  research_project: 'исследовательский проект',
  intensive: 'интенсив',
  teacher_training: 'курсы повышения квалификации',
  conference: 'конференция',
  enrollment: 'курс сети',
  other: 'другое',
};
const statusNames: Record<string, string> = {
  draft: 'черновик',
  submitted: 'на утверждении',
  approved: 'утверждён',
};
const itemStatusNames: Record<string, string> = {
  requested: 'заявка',
  consented: 'согласие получено',
  approved: 'заявка одобрена',
  waitlisted: 'лист ожидания',
  enrolled: 'зачислен',
  completed: 'освоено',
  failed: 'не освоено',
  withdrawn: 'отозвано',
  rejected: 'отклонено',
  planned: 'запланировано',
  done: 'выполнено',
};
const problemNames: Record<string, string> = {
  no_items: 'в плане нет ни одной позиции',
  too_few_hours: 'часов меньше установленного минимума',
  too_many_hours: 'часов больше установленного максимума',
  too_few_advanced_subjects: 'недостаточно предметов углублённого уровня',
  enrollment_inactive: 'есть отозванные или отклонённые курсы',
  outside_year: 'есть курсы вне учебного года',
};

const hours = (n: number) => n.toLocaleString('ru-RU', { maximumFractionDigits: 2 });
const ruDate = (iso: string) => iso.slice(0, 10).split('-').reverse().join('.');
const fullName = (p: { familyName: string; givenName: string; middleName: string | null } | null) =>
  p ? [p.familyName, p.givenName, p.middleName].filter(Boolean).join(' ') : '—';

/**
 * Renders a route as the Russian document «Индивидуальный учебный план»: the
 * student, school, year, version and approval, goals, mentor, project, the items
 * with hours, totals per subject and level, and lines for signatures.
 */
export function routePdf(route: Route): Promise<Buffer> {
  const { regular, bold } = ptSans();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 50, left: 50, right: 50 },
    info: {
      Title: `Индивидуальный учебный план ${route.academicYear}`,
      Author: 'Сеть МО',
      Subject: fullName(route.student),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const left = doc.page.margins.left;

  doc.font('bold').fontSize(16).text('Индивидуальный учебный план', { align: 'center' });
  doc
    .font('regular')
    .fontSize(11)
    .text(`(индивидуальный образовательный маршрут) на ${route.academicYear} учебный год`, {
      align: 'center',
    });
  doc.moveDown();

  const field = (label: string, value: string) => {
    doc.font('bold').fontSize(10).text(`${label}: `, left, undefined, { continued: true, width });
    doc.font('regular').text(value);
  };
  field('Обучающийся', fullName(route.student));
  field('Образовательная организация', route.homeSchool?.name ?? route.homeSchoolId);
  field('Учебный год', route.academicYear);
  field('Версия', `${route.routeVersion}, ${statusNames[route.status] ?? route.status}`);
  field(
    'Утверждён',
    route.approval
      ? `приказ № ${route.approval.orderNumber} от ${ruDate(route.approval.orderDate)}`
      : 'не утверждён',
  );
  field('Наставник (тьютор)', route.mentor ? fullName(route.mentor) : 'не назначен');
  field('Цели', route.goals ?? '—');
  const project = route.individualProject;
  field(
    'Индивидуальный проект',
    project
      ? [
          `«${project.topic}»`,
          project.subject ? (subjectNames[project.subject] ?? project.subject) : null,
          project.supervisor ? `руководитель: ${project.supervisor}` : null,
        ]
          .filter(Boolean)
          .join(', ')
      : '—',
  );
  doc.moveDown();

  const header = (texts: string[]) =>
    texts.map((text) => ({ text, font: { src: 'bold' }, backgroundColor: '#eeeeee', type: 'TH' as const }));
  doc.font('bold').fontSize(12).text('Содержание плана', left);
  doc.moveDown(0.3);
  doc.font('regular').fontSize(8.5);
  doc.table({
    maxWidth: width,
    columnStyles: [18, 62, 60, 86, '*', 80, 32, 40],
    data: [
      header(['№', 'Предмет', 'Уровень', 'Вид', 'Название', 'Организация', 'Часы', 'Выполн.']),
      ...route.items.map((item, i) => [
        String(i + 1),
        subjectNames[item.subject] ?? item.subject,
        levelNames[item.level] ?? item.level,
        kindNames[item.offeringKind ?? item.kind] ?? item.kind,
        `${item.title}${item.topic ? ` (тема: ${item.topic})` : ''}\n${itemStatusNames[item.status] ?? item.status}`,
        item.provider?.shortName ?? item.provider?.name ?? '—',
        hours(item.hours),
        hours(item.completedHours),
      ]),
    ],
  });
  doc.moveDown();

  doc.font('bold').fontSize(12).text('Итого по предметам и уровням', left);
  doc.moveDown(0.3);
  doc.font('regular').fontSize(9);
  doc.table({
    maxWidth: width,
    columnStyles: ['*', 90, 90, 90],
    data: [
      header(['Предмет', 'Базовый уровень', 'Углублённый уровень', 'Всего часов']),
      ...route.totals.bySubject.map((s) => [
        subjectNames[s.subject] ?? s.subject,
        hours(s.basic),
        hours(s.advanced),
        hours(s.hours),
      ]),
      header([
        'Итого',
        hours(route.totals.byLevel.basic),
        hours(route.totals.byLevel.advanced),
        hours(route.totals.totalHours),
      ]),
    ],
  });
  doc.moveDown(0.5);
  doc
    .font('regular')
    .fontSize(10)
    .text(
      `Выполнено ${hours(route.progress.completedHours)} ч из ${hours(route.progress.plannedHours)} ч (${hours(route.progress.percent)} %).`,
      left,
    );
  if (!route.validation.valid) {
    const notes = [...new Set(route.validation.problems.map((p) => problemNames[p.code] ?? p.message))];
    doc.text(`Замечания: ${notes.join('; ')}.`, left);
  }
  doc.moveDown(2);

  // Signatures stay together: start a new page when they would not fit.
  if (doc.y > doc.page.height - doc.page.margins.bottom - 150) doc.addPage();
  doc.font('regular').fontSize(10);
  for (const who of [
    'Обучающийся',
    'Родитель (законный представитель)',
    'Наставник (тьютор)',
    'Координатор образовательной организации',
  ]) {
    doc.text(`${who}: ______________________ / ______________________ /`, left);
    doc.moveDown(0.8);
  }
  doc.text('Дата: «____» ______________ 20____ г.', left);
  doc.end();
  return done;
}
