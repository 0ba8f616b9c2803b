import { z } from '@mathnet/lms-sdk';

/** What a school's admin enters to connect its Moodle site (non-secret). */
export const moodleSettingsSchema = z.object({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .describe('The Moodle site address, e.g. https://lms.school.example or https://school.example/moodle'),
  studentRoleId: z
    .number()
    .int()
    .positive()
    .default(5)
    .describe('Moodle role id of students (5 on a standard site)'),
  teacherRoleId: z
    .number()
    .int()
    .positive()
    .default(3)
    .describe(
      'Moodle role id given to teachers enrolled from the network (3 = editingteacher on a standard site)',
    ),
  pageSize: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(200)
    .describe('Users asked per core_enrol_get_enrolled_users call (limitnumber)'),
  categoryId: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Only courses of this Moodle course category (default: every course of the site)'),
  schoolSourcedId: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('The sourcedId of the school org the site stands for (default "moodle-site")'),
});

/** The Moodle web service token (encrypted at rest by the bridge). */
export const moodleSecretsSchema = z.object({
  token: z
    .string()
    .trim()
    .min(1)
    .describe('Web service token of a Moodle user allowed the functions listed in the docs'),
});

export type MoodleSettings = z.infer<typeof moodleSettingsSchema>;
export type MoodleSecrets = z.infer<typeof moodleSecretsSchema>;
