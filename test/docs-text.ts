// The README's and docs/' text as the claims tests read it: fenced code blocks, and the commands a
// reader would type (shell blocks and inline code), split into words as a shell would.

/** A fenced code block: its language, the line of its opening fence (1-based) and its text. */
export interface CodeBlock {
  lang: string;
  line: number;
  text: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { lang: string; line: number; lines: string[] } | undefined;
  markdown.split("\n").forEach((l, i) => {
    const fence = /^\s*```(\S*)/.exec(l);
    if (fence && !open) open = { lang: fence[1]!, line: i + 1, lines: [] };
    else if (fence && open) {
      blocks.push({ lang: open.lang, line: open.line, text: open.lines.join("\n") });
      open = undefined;
    } else open?.lines.push(l);
  });
  return blocks;
}

/** A command as a reader would type it, with where it appears. */
export interface DocCommand {
  line: number;
  /** The words of one command of a pipeline or list (`|`, `&&`, `;`), placeholders kept as written. */
  words: string[];
  text: string;
}

/** Programs whose commands the docs show (the first word of a command). */
const PROGRAMS = /^(npm|npx|pulumi|node|mlserving-plan|mlserving-record-outputs)$/;

/**
 * Splits a command line into commands and each into words: quotes group, `#` starts a comment,
 * a `<placeholder>` (spaces allowed) is one word, `[...]` around options (usage syntax) is dropped.
 */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) commands[commands.length - 1]!.push(word);
    word = undefined;
  };
  const s = line.replace(/\[(--[^\]]*)\]/g, "$1");
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const close = s.indexOf(c, i + 1);
      word = (word ?? "") + s.slice(i + 1, close < 0 ? s.length : close);
      i = close < 0 ? s.length : close;
    } else if (c === "<") {
      const close = s.indexOf(">", i + 1);
      word = (word ?? "") + s.slice(i, close < 0 ? s.length : close + 1);
      i = close < 0 ? s.length : close;
    } else if (c === "#" && word === undefined) break;
    else if (/\s/.test(c)) end();
    else if (c === "|" || c === ";" || (c === "&" && s[i + 1] === "&")) {
      end();
      if (c === "&" || (c === "|" && s[i + 1] === "|")) i++;
      commands.push([]);
    } else word = (word ?? "") + c;
  }
  end();
  return commands.filter((c) => c.length > 0);
}

/** The commands of a page: every line of its shell blocks, and inline code that starts with a known program. */
export function docCommands(markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const add = (line: number, text: string) => {
    for (const words of splitCommands(text)) if (PROGRAMS.test(words[0]!)) out.push({ line, words, text });
  };
  for (const block of codeBlocks(markdown).filter((b) => ["sh", "bash", "shell", "console"].includes(b.lang))) {
    // Continuation lines (a trailing backslash) are one command.
    const lines = block.text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i]!;
      const first = i;
      while (text.endsWith("\\") && i + 1 < lines.length) text = text.slice(0, -1) + " " + lines[++i];
      add(block.line + 1 + first, text.replace(/^\$\s+/, ""));
    }
  }
  let inFence = false;
  markdown.split("\n").forEach((l, i) => {
    if (/^\s*```/.test(l)) inFence = !inFence;
    if (inFence) return;
    // A program's name alone (`mlserving-plan`) names it; with arguments it is a command.
    for (const [, code] of l.matchAll(/(?<!`)`([^`]+)`(?!`)/g))
      if (PROGRAMS.test(code!.split(/\s+/)[0]!) && /\s/.test(code!.trim())) add(i + 1, code!);
  });
  return out;
}

/** Whether a word is a placeholder the reader fills in (`<name>`, `...`). */
export function isPlaceholder(word: string): boolean {
  return /^<.*>$/.test(word) || word === "..." || word.includes("<");
}
