import type { OfferingCreate } from '../http/offering-schemas';

/** Which demo organisation provides an offering, by its kind and (for schools) its short name. */
export type ProviderRef = 'hub1' | 'hub2' | 'school3' | 'centre' | 'university';

const autumn = { termStart: '2026-09-01', termEnd: '2026-12-25' };
const spring = { termStart: '2027-01-12', termEnd: '2027-05-25' };
const year = { termStart: '2026-09-01', termEnd: '2027-05-25' };

/** The demo catalogue: 24 offerings across five providers, in Russian. */
export const demoOfferings: (Omit<OfferingCreate, 'providerId'> & { provider: ProviderRef; state?: 'draft' | 'archived' })[] = [
  { provider: 'hub1', title: 'Олимпиадная математика: комбинаторика и теория чисел', kind: 'elective', subjects: ['maths'], grades: [10, 11], level: 'advanced', format: 'in_person', capacity: 15, schoolQuota: 4, hours: 68, place: 'Лицей № 1, ауд. 21', schedule: [{ weekday: 2, start: '15:00', end: '16:30' }], ...year, assessmentForm: 'зачёт по итогам олимпиадного тура', documentIssued: 'сертификат сети' },
  { provider: 'hub1', title: 'Механика: решение задач повышенной сложности', kind: 'optional_course', subjects: ['physics'], grades: [10], level: 'advanced', format: 'blended', capacity: 20, hours: 34, platformUrl: 'https://moodle.lyceum1.example/course/12', schedule: [{ weekday: 4, start: '15:00', end: '16:30' }], ...autumn },
  { provider: 'hub1', title: 'Подготовка к ЕГЭ по профильной математике', kind: 'elective', subjects: ['maths'], grades: [11], level: 'basic', format: 'distance', capacity: 40, hours: 68, platformUrl: 'https://moodle.lyceum1.example/course/15', ...year },
  { provider: 'hub1', title: 'Лабораторный практикум по электродинамике', kind: 'study_visit', subjects: ['physics'], grades: [11], level: 'advanced', format: 'in_person', capacity: 12, hours: 12, place: 'Лицей № 1, лаборатория физики', schedule: [{ weekday: 6, start: '10:00', end: '13:00' }], ...spring },
  { provider: 'hub1', title: 'Методика подготовки к олимпиадам по математике', kind: 'teacher_training', subjects: ['maths'], grades: [10, 11], format: 'blended', capacity: 25, hours: 36, audience: 'teachers', ...autumn, documentIssued: 'удостоверение о повышении квалификации' },
  { provider: 'hub2', title: 'Алгоритмы и структуры данных', kind: 'elective', subjects: ['informatics'], grades: [10, 11], level: 'advanced', format: 'blended', capacity: 18, schoolQuota: 5, hours: 68, schedule: [{ weekday: 3, start: '15:30', end: '17:00' }], ...year },
  { provider: 'hub2', title: 'Программирование на Python для анализа данных', kind: 'optional_course', subjects: ['informatics'], grades: [10], level: 'basic', format: 'distance', capacity: 30, hours: 34, platformUrl: 'https://lms.gymn2.example/python', ...autumn },
  { provider: 'hub2', title: 'Финансовая математика', kind: 'elective', subjects: ['maths'], grades: [10, 11], level: 'basic', format: 'in_person', capacity: 16, hours: 34, place: 'Гимназия № 2, каб. 305', schedule: [{ weekday: 5, start: '14:30', end: '16:00' }], ...spring },
  { provider: 'hub2', title: 'Подготовка к ЕГЭ по информатике', kind: 'elective', subjects: ['informatics'], grades: [11], format: 'distance', capacity: 35, hours: 68, ...year },
  { provider: 'hub2', title: 'Цифровая лаборатория в преподавании физики', kind: 'teacher_training', subjects: ['physics'], grades: [10, 11], format: 'in_person', capacity: 20, hours: 24, audience: 'teachers', ...spring },
  { provider: 'centre', title: 'Зимняя интенсивная школа «Эврика»: математика', kind: 'intensive', subjects: ['maths'], grades: [10, 11], level: 'advanced', format: 'in_person', capacity: 30, schoolQuota: 6, hours: 40, place: 'Центр «Эврика»', termStart: '2027-01-04', termEnd: '2027-01-10' },
  { provider: 'centre', title: 'Исследовательский проект по астрономии', kind: 'research_project', subjects: ['astronomy', 'physics'], grades: [10, 11], level: 'advanced', format: 'blended', capacity: 8, hours: 50, ...year },
  { provider: 'centre', title: 'Индивидуальные занятия: олимпиадная физика', kind: 'individual_lessons', subjects: ['physics'], grades: [10, 11], level: 'advanced', format: 'in_person', capacity: 4, hours: 30, schedule: [{ weekday: 6, start: '14:00', end: '15:30' }], ...year },
  { provider: 'centre', title: 'Летняя школа юных программистов', kind: 'intensive', subjects: ['informatics'], grades: [10], level: 'advanced', format: 'in_person', capacity: 25, hours: 60, termStart: '2027-06-15', termEnd: '2027-06-28', state: 'draft' },
  { provider: 'centre', title: 'Астрономические наблюдения (архив 2025/2026)', kind: 'study_visit', subjects: ['astronomy'], grades: [10, 11], format: 'in_person', capacity: 10, hours: 8, termStart: '2025-10-01', termEnd: '2025-10-31', state: 'archived' },
  { provider: 'university', title: 'Введение в математический анализ', kind: 'distance_course', subjects: ['maths'], grades: [11], level: 'advanced', format: 'distance', capacity: 50, schoolQuota: 10, hours: 72, platformUrl: 'https://online.techuni.example/calculus', ...year, documentIssued: 'сертификат университета', agreementRef: 'Соглашение о сетевом взаимодействии № 7/2026' },
  { provider: 'university', title: 'Линейная алгебра для школьников', kind: 'distance_course', subjects: ['maths'], grades: [10, 11], level: 'advanced', format: 'distance', capacity: 40, hours: 36, ...spring, agreementRef: 'Соглашение о сетевом взаимодействии № 7/2026' },
  { provider: 'university', title: 'Дни науки в лабораториях университета', kind: 'study_visit', subjects: ['physics'], grades: [10, 11], format: 'in_person', capacity: 2, hours: 6, place: 'Технический университет, корпус Б', schedule: [{ weekday: 6, start: '11:00', end: '14:00' }], ...autumn },
  { provider: 'university', title: 'Основы машинного обучения', kind: 'distance_course', subjects: ['informatics', 'maths'], grades: [11], level: 'advanced', format: 'distance', capacity: 30, hours: 48, ...spring },
  { provider: 'university', title: 'Проектная деятельность в физике: руководство исследованиями', kind: 'teacher_training', subjects: ['physics'], grades: [10, 11], format: 'distance', capacity: 30, hours: 72, audience: 'teachers', ...year },
  { provider: 'school3', title: 'Геометрия: задачи на построение', kind: 'elective', subjects: ['maths'], grades: [10], level: 'basic', format: 'in_person', capacity: 15, hours: 34, place: 'СШ № 3, каб. 12', schedule: [{ weekday: 1, start: '15:00', end: '16:30' }], ...autumn },
  { provider: 'school3', title: 'Физика в задачах ОГЭ и ЕГЭ', kind: 'optional_course', subjects: ['physics'], grades: [11], level: 'basic', format: 'in_person', capacity: 20, hours: 34, schedule: [{ weekday: 3, start: '14:00', end: '15:30' }], ...spring },
  { provider: 'school3', title: 'Робототехника', kind: 'elective', subjects: ['informatics', 'physics'], grades: [10, 11], format: 'in_person', capacity: 12, hours: 68, schedule: [{ weekday: 2, start: '16:00', end: '17:30' }], ...year },
  { provider: 'school3', title: 'Теория вероятностей и статистика', kind: 'distance_course', subjects: ['maths'], grades: [10, 11], format: 'distance', capacity: 25, hours: 34, ...spring },
];
