// How far apart two tokens are for a model: a recurrent network hands information from one state to the next, so
// token i reaches token j after j − i steps; one self-attention layer connects every pair directly. Two sliders pick
// the tokens; the drawing highlights the path each model takes and the counts come from the engine's pathLengths.
// Its value is the pair of positions.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { pathLengths } from '../../../../engine/course';

export interface PathsValue {
  from: number;
  to: number;
}

/** Tokens drawn: the longest source of the page's comparison. */
export const PATH_TOKENS = 12;

@customElement('w1112-paths')
export class PathLengths extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; }
    svg { display: block; max-width: 100%; height: auto; margin-top: 6px; }
    .summary { margin: 4px 0 0; }
    .rnn { stroke: #2563eb; }
    .attn { stroke: #c2410c; }
  `;

  @property({ attribute: false }) value: PathsValue = { from: 0, to: PATH_TOKENS - 1 };

  private _pair(): PathsValue {
    const ok = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < PATH_TOKENS;
    const v = this.value as Partial<PathsValue> | null;
    // A restored value out of range falls back to the two ends.
    if (!v || !ok(v.from) || !ok(v.to)) return { from: 0, to: PATH_TOKENS - 1 };
    return { from: Math.min(v.from!, v.to!), to: Math.max(v.from!, v.to!) };
  }

  private _set(which: keyof PathsValue, e: Event): void {
    const next = { ...this._pair(), [which]: Number((e.target as HTMLInputElement).value) };
    this.value = next;
    this.dispatchEvent(new CustomEvent<PathsValue>('change', { detail: { ...next }, bubbles: true, composed: true }));
  }

  override render() {
    const { from, to } = this._pair();
    const p = pathLengths(from, to);
    const gap = 48;
    const x = (i: number) => 24 + i * gap;
    const width = x(PATH_TOKENS - 1) + 24;
    const yRnn = 30;
    const yAttn = 120;
    const onPath = (i: number) => i >= from && i <= to;
    return html`
      <div class="controls">
        <label>first token <input type="range" min="0" max=${PATH_TOKENS - 1} step="1" .value=${String(from)} @input=${(e: Event) => this._set('from', e)}
          aria-label="position of the first token"> ${from + 1}</label>
        <label>second token <input type="range" min="0" max=${PATH_TOKENS - 1} step="1" .value=${String(to)} @input=${(e: Event) => this._set('to', e)}
          aria-label="position of the second token"> ${to + 1}</label>
      </div>
      <svg viewBox="0 0 ${width} 160" role="img" aria-label="A chain of ${PATH_TOKENS} recurrent states above, and the same tokens with one direct attention link below">
        <text x="4" y="12" font-size="11" fill="#52606d">recurrent network: state to state</text>
        ${Array.from({ length: PATH_TOKENS - 1 }, (_, i) =>
          svg`<line x1=${x(i) + 9} y1=${yRnn} x2=${x(i + 1) - 9} y2=${yRnn} class="rnn" stroke-width=${i >= from && i < to ? 3 : 1} opacity=${i >= from && i < to ? 1 : 0.3}></line>`,
        )}
        ${Array.from({ length: PATH_TOKENS }, (_, i) =>
          svg`<circle cx=${x(i)} cy=${yRnn} r="8" fill=${onPath(i) ? '#bfdbfe' : '#f3f4f6'} stroke="#2563eb"></circle>`,
        )}
        <text x="4" y=${yAttn - 52} font-size="11" fill="#52606d">self-attention: any token to any token</text>
        ${from !== to
          ? svg`<path d="M ${x(from)} ${yAttn - 9} Q ${(x(from) + x(to)) / 2} ${yAttn - 50} ${x(to)} ${yAttn - 9}" fill="none" class="attn" stroke-width="3"></path>`
          : ''}
        ${Array.from({ length: PATH_TOKENS }, (_, i) =>
          svg`<circle cx=${x(i)} cy=${yAttn} r="8" fill=${i === from || i === to ? '#fed7aa' : '#f3f4f6'} stroke="#c2410c"></circle>
            <text x=${x(i)} y=${yAttn + 24} font-size="10" text-anchor="middle" fill="#52606d">${i + 1}</text>`,
        )}
      </svg>
      <p class="summary" aria-live="polite">
        From token ${from + 1} to token ${to + 1}: <strong>${p.rnn}</strong> step${p.rnn === 1 ? '' : 's'} through a recurrent network,
        <strong>${p.attention}</strong> through one self-attention layer.
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1112-paths': PathLengths;
  }
}
