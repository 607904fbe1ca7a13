import { test as setup } from "@playwright/test";
import { login } from "./helpers";
import { ROLES, seedUsers, sessionFile, USERS } from "./seed";

/**
 * Runs before the specs (the "setup" project, a dependency of "e2e"), alone or with the whole
 * suite: the admin, editor and viewer through the admin CLI, then one sign-in through the form per
 * role whose session the specs reuse (`test.use({ storageState: sessionFile(role) })`).
 */
setup.describe.configure({ mode: "serial" });

setup("seed the admin, an editor and a viewer through the admin CLI", () => {
  seedUsers();
});

for (const role of ROLES) {
  setup(`sign in as the ${role} through the form and keep the session`, async ({ page }) => {
    await login(page, USERS[role]);
    await page.context().storageState({ path: sessionFile(role) });
  });
}
