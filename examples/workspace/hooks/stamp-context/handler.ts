export default async function handler(event: any) {
  const now = new Date().toISOString();
  event.context.bootstrapFiles.push({
    name: "AGENTS.md",
    path: "generated/NOW.md",
    content: `Current time: ${now}`,
  });
}
