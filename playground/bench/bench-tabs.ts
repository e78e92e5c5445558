// The Bench page's two tabs: the attention sweep (<bench-tab>) and "Your kernel" (<kernel-tab>), each slotted in
// from bench.html and shown one at a time. A share link (#kernel=…) opens on Your kernel.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { hasKernelHash } from './kernel-share';

export type BenchTabName = 'sweep' | 'kernel';

@customElement('bench-tabs')
export class BenchTabs extends LitElement {
  static override styles = css`
    :host { display: block; }
    [role='tablist'] { display: flex; gap: 0.25rem; padding: 0.5rem 1.5rem 0; border-bottom: 1px solid #e3e7eb; }
    button { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid transparent; border-bottom: none; background: none; cursor: pointer; border-radius: 6px 6px 0 0; }
    button[aria-selected='true'] { border-color: #e3e7eb; background: #fff; margin-bottom: -1px; font-weight: 600; }
  `;

  @property({ reflect: true }) selected: BenchTabName = hasKernelHash(location.hash) ? 'kernel' : 'sweep';

  override render() {
    const tab = (name: BenchTabName, label: string) =>
      html`<button role="tab" id=${`tab-${name}`} aria-selected=${String(this.selected === name)} @click=${() => (this.selected = name)}>${label}</button>`;
    return html`
      <div role="tablist">${tab('sweep', 'Attention sweep')}${tab('kernel', 'Your kernel')}</div>
      <div role="tabpanel"><slot name=${this.selected}></slot></div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bench-tabs': BenchTabs;
  }
}
