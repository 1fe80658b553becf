// Who works on this device, the team's members and themes: loaded once, shared by the screens.

import {
  commands,
  type MemberView_Serialize,
  type ProfileView_Serialize,
  type ThemeView,
} from "./bindings";

class Session {
  profile = $state<ProfileView_Serialize | null>(null);
  members = $state<MemberView_Serialize[]>([]);
  themes = $state<ThemeView[]>([]);

  /** Load (or reload) the team's members and themes. */
  async loadTeam(): Promise<void> {
    const [members, themes] = await Promise.all([commands.teamMembers(), commands.themes()]);
    if (members.status === "ok") this.members = members.data;
    if (themes.status === "ok") this.themes = themes.data;
  }

  /** A member's name, or the id when the member is unknown on this device. */
  memberName(id: string): string {
    return this.members.find((m) => m.id === id)?.name ?? id;
  }
}

export const session = new Session();
