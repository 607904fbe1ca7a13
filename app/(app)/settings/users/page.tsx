import type { Metadata } from "next";
import { requirePageRole } from "@/lib/auth/session";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/passwords";
import { ROLE_DESCRIPTIONS } from "@/lib/auth/roles";
import { listUsers } from "@/db/queries/users";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { PageHeader } from "@/components/page-header";
import { AddUserForm } from "./add-user-form";
import { UserRow } from "./user-row";
import { formatDateTime } from "@/lib/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requirePageRole("admin");
  const users = await listUsers();

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and what they may do. Changing a role or deactivating someone signs them out at once."
      />

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Add user</h2>
          </CardTitle>
          <CardDescription>Share the password with them yourself; Relayboard sends no email.</CardDescription>
        </CardHeader>
        <CardContent>
          <AddUserForm minPasswordLength={MIN_PASSWORD_LENGTH} roleDescriptions={ROLE_DESCRIPTIONS} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2 id="users-heading">All users ({users.length})</h2>
          </CardTitle>
        </CardHeader>
        <CardContent>
          <Table aria-labelledby="users-heading">
            <TableHeader>
              <TableRow>
                <TableHead>Email</TableHead>
                <TableHead>Name</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.map((user) => (
                <UserRow
                  key={user.id}
                  user={{ id: user.id, email: user.email, name: user.name, role: user.role, active: user.active }}
                  createdAt={user.createdAt.toISOString()}
                  createdLabel={formatDateTime(user.createdAt)}
                  isSelf={user.id === me.id}
                />
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </>
  );
}
