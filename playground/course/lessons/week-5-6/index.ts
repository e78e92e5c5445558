// Weeks 5-6, linear algebra: vectors, dot products, norms and projections in the plane; a matrix as a map that
// deforms a grid; the dominant eigenvector by power iteration on the GPU; and the SVD compressing a handwritten
// digit, its error falling as the rank grows. Every number the prose states is computed by the engine through stat().
import { html } from 'lit';
import { project, norm, eigh, tensor } from '../../../../engine/index';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { dominantEigen } from './eigen';
import { SIDE, STATED_KS, statedErrors } from './compress';
import { matmulCell, orthogonalTarget, projectionCell, projectionLength, storageChoice, storedNumbers } from './exercises';

/** Plain numbers: no trailing zeros, at most three decimals. */
const plain = (v: number): string => String(Number(v.toFixed(3)));

const U = [2, 1];
const V = [1, 3];
/** The symmetric matrix the prose runs power iteration on. */
export const SYM = [2, 1, 1, 2];

/** eigh's eigenvalues of SYM, ascending, as a check on power iteration. */
async function symEigenvalues(): Promise<number[]> {
  const A = tensor(SYM, [2, 2]);
  const { values, vectors } = await eigh(A);
  try {
    return Array.from(await values.toArray());
  } finally {
    for (const t of [A, values, vectors]) t.dispose();
  }
}

let errors: Promise<number[]> | null = null;
/** The SVD errors the prose states, computed once per page. */
export const svdErrors = (): Promise<number[]> => (errors ??= statedErrors(0));
let eigen: ReturnType<typeof dominantEigen> | null = null;
export const symEigen = (): ReturnType<typeof dominantEigen> => (eigen ??= dominantEigen(SYM));

export const lesson: Lesson = {
  id: 'week-5-6',
  week: '5-6',
  title: 'Linear algebra',
  summary: 'Vectors, projections, matrices as maps, eigenvectors by power iteration, and the SVD compressing digits.',
  load: () => Promise.all([import('./vectors-widget'), import('./matrix-widget'), import('./svd-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Vectors, lengths and angles</h2>
        <p>
          Everything a network computes with is a list of numbers: an image is 784 grey levels, a word is an
          embedding of a few hundred values, a layer's output is one number per unit. Linear algebra is the toolkit
          for such lists, and the plane is where its ideas can be seen. A vector is an arrow from the origin; adding
          vectors puts arrows tip to tail; multiplying by a number stretches the arrow.
        </p>
        <p>
          The <strong>dot product</strong> u·v = u₁v₁ + u₂v₂ multiplies matching entries and adds them up. It ties
          lengths to angles: u·v = ‖u‖·‖v‖·cos θ, where ‖u‖ = √(u·u) is the arrow's length (its 2-norm). So the dot
          product is positive when two arrows point roughly the same way, zero when they are perpendicular, and
          negative when they point apart. For u = (${U.join(', ')}) and v = (${V.join(', ')}) it is
          ${stat('w56-dot', U[0] * V[0] + U[1] * V[1], plain)}, with ‖u‖ = ${stat('w56-norm-u', norm(U), 3)} and
          ‖v‖ = ${stat('w56-norm-v', norm(V), 3)}.
        </p>
        <p>
          The <strong>projection</strong> of u onto the line through v is the point on that line closest to u. It is
          a multiple c·v, and the leftover u − c·v must meet the line at a right angle, which pins down
          c = (u·v)/(v·v). For the same u and v the engine gives (${stat('w56-proj-x', project(U, V)[0], 3)},
          ${stat('w56-proj-y', project(U, V)[1], 3)}). Least-squares fitting and the compression at the end of this
          page are projections in more dimensions, and a transformer's attention scores are dot products.
        </p>
        <p>
          Drag the tips of the arrows, or type coordinates. The green bar is the projection of u onto v and the dashed
          segment is what is left over, always at a right angle to v.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w56-vectors',
      props: { value: { u: [2, 1], v: [1, 3] } },
      alt: 'A plane with two draggable arrows u (blue) and v (red), the line through v, and the projection of u onto it in green with a dashed perpendicular drop; fields set each coordinate; a table lists u·v, both norms, the angle and the projection.',
    },
    { kind: 'exercise', exercise: projectionLength },
    { kind: 'exercise', exercise: orthogonalTarget },
    { kind: 'exercise', exercise: projectionCell },
    {
      kind: 'text',
      body: html`
        <h2>A matrix is a map</h2>
        <p>
          A 2×2 matrix [[a, b], [c, d]] sends (x, y) to (ax + by, cx + dy). Such a map keeps the origin in place,
          sends straight lines to straight lines and keeps evenly spaced grid lines evenly spaced: it is
          <em>linear</em>. All of it is fixed by where the two unit vectors land, and they land on the matrix's
          columns: e₁ = (1, 0) goes to (a, c) and e₂ = (0, 1) to (b, d). The unit square becomes a parallelogram whose
          signed area is the determinant ad − bc; a determinant of 0 means the plane is flattened onto a line and
          the map cannot be undone.
        </p>
        <p>
          Multiplying two matrices composes their maps: first one, then the other. A dense layer of a network is
          exactly this, a matrix applied to its input (plus a shift), and training only moves the entries of the
          matrix. The code cell after the widget asks you to write the product out as loops; the engine runs the same
          arithmetic as one GPU kernel.
        </p>
        <h2>Eigenvectors, by power iteration</h2>
        <p>
          Most directions get turned by a map, but some are only stretched: Av = λv. Such a v is an
          <strong>eigenvector</strong> and λ its eigenvalue. Power iteration finds the one with the largest |λ|
          without solving any equation: start from a random vector and apply A again and again, rescaling to length
          1 each time. Every application multiplies the component along each eigenvector by its λ, so the one with the
          largest |λ| grows fastest and soon is all that is left; how soon depends on the ratio of the two largest
          |λ|. On the page's device (the GPU when there is one), ${stat('w56-power-iters', symEigen().then((e) => e.iters), 'int')}
          steps on [[2, 1], [1, 2]] give λ = ${stat('w56-power-lambda', symEigen().then((e) => e.value), 4)} along
          (${stat('w56-power-vx', symEigen().then((e) => e.vector[0]), 4)}, ${stat('w56-power-vy', symEigen().then((e) => e.vector[1]), 4)}).
          The engine's full symmetric eigendecomposition, eigh, agrees: its eigenvalues are
          ${stat('w56-eigh-low', symEigenvalues().then((l) => l[0]), 4)} and ${stat('w56-eigh-high', symEigenvalues().then((l) => l[1]), 4)}.
        </p>
        <p>
          Try the presets. The symmetric matrix has a clear winning direction (dashed green). A rotation turns every
          direction, so there is no real eigenvector and the iteration never settles; a shear has only one eigenvector
          direction; the rank-1 matrix squashes the plane onto a line and has determinant 0.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w56-matrix',
      props: { value: [2, 1, 1, 2] },
      alt: 'A grid and the unit square before (faint) and after (bold) a 2×2 map, with the images of e1 and e2; fields set the four entries and buttons load examples (stretch, symmetric, shear, rotation, rank 1); the text gives the determinant and the dominant eigenvector found by power iteration on the GPU, drawn as a dashed line, or says that the iteration does not settle.',
    },
    { kind: 'exercise', exercise: matmulCell },
    {
      kind: 'text',
      body: html`
        <h2>The SVD: compressing a digit</h2>
        <p>
          Every matrix, square or not, can be written as A = U·Σ·Vᵀ: a rotation (Vᵀ), a stretch along the axes by the
          <strong>singular values</strong> σ₁ ≥ σ₂ ≥ … ≥ 0 (Σ), and another rotation (U). Read term by term, it
          says that A is a sum of simple pieces, A = σ₁·u₁v₁ᵀ + σ₂·u₂v₂ᵀ + …, each an outer product of two vectors,
          ordered from most to least important. Keeping only the first k pieces gives the rank-k matrix A_k, and no
          other matrix of rank k is closer to A (the Eckart–Young theorem). The error it leaves is exactly the
          singular values it dropped: in the Frobenius norm (the 2-norm of all entries),
          ‖A − A_k‖ = √(σ²_(k+1) + σ²_(k+2) + …).
        </p>
        <p>
          A handwritten digit from MNIST is a ${SIDE}×${SIDE} matrix of grey levels. The engine's SVD (one-sided
          Jacobi rotations run as tensor ops on the page's device) factors it, and the rank-k image costs
          k·(${SIDE} + ${SIDE} + 1) numbers instead of ${stat('w56-pixels', SIDE * SIDE, 'int')}: at k = 5 that is
          ${stat('w56-store-5', storedNumbers(SIDE, 5), 'int')}. For the first digit below, the relative error
          ‖A − A_k‖/‖A‖ of the rebuilt image falls as k grows:
          ${STATED_KS.map((k, i) => html`${i ? (i === STATED_KS.length - 1 ? ', and ' : ', ') : ''}${stat(`w56-svd-err-k${k}`, svdErrors().then((e) => e[i]), 'percent')} at k = ${k}`)}.
          Adding a piece can never make the best approximation worse, so the error can only fall. The saving has a
          limit, though: past k = ${stat('w56-break-even', Math.floor((SIDE * SIDE) / storedNumbers(SIDE, 1)), 'int')} the
          pieces cost more numbers than the pixels themselves, so compression pays only when a few singular values
          carry most of the image, as they do for a digit.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w56-svd',
      props: { value: { digit: 0, k: 4 } },
      alt: 'A handwritten digit beside its rank-k rebuild from the SVD, with a slider for k from 1 to 28 and a choice of five digits; the text gives the largest singular values and the relative error, and a chart plots the error against k, falling to 0 at k = 28.',
    },
    { kind: 'exercise', exercise: storageChoice },
    {
      kind: 'text',
      body: html`<p>
        The same idea, applied to a whole data set rather than one image, is principal component analysis: the top
        right singular vectors of the centred data matrix are the directions along which the data varies most, and
        projecting onto the first few keeps most of the variation in far fewer numbers.
      </p>`,
    },
  ],
  claims: [1, 2, 4, 8].map((k) => ({
    stat: `w56-svd-err-k${2 * k}`, is: '<' as const, than: `w56-svd-err-k${k}`, says: `the SVD's error falls from rank ${k} to rank ${2 * k}`,
  })),
  resources: [
    {
      title: '3Blue1Brown, “Essence of linear algebra”',
      url: 'https://www.youtube.com/playlist?list=PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab',
      adds: 'Animated chapters on vectors, matrices as maps of the grid, determinants and eigenvectors: the pictures behind this page.',
    },
    {
      title: 'Gilbert Strang, MIT 18.06 Linear Algebra',
      url: 'https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/',
      adds: 'The full university course with lectures and problem sets, for projections, eigenvalues and the SVD in depth.',
    },
    {
      title: 'Deisenroth, Faisal & Ong, Mathematics for Machine Learning, chapters 2-4',
      url: 'https://mml-book.github.io/',
      adds: 'A free book that develops norms, projections, eigendecomposition and the SVD with machine learning in view.',
    },
    {
      title: 'Steve Brunton, “Singular Value Decomposition (SVD): Overview”',
      url: 'https://www.youtube.com/watch?v=nbBvuuNVfco',
      adds: 'Short lectures on the SVD, including truncation and image compression as on this page.',
    },
  ],
};
